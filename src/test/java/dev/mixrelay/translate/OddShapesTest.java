package dev.mixrelay.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.Validation;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever shape a context, trait or property value has, translation answers and never throws. */
class OddShapesTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PATHS = List.of("ip", "active", "userAgent", "library",
      "library/name", "page", "page/url", "page/referrer", "referrer/url", "app/version",
      "device", "device/token", "device/type", "os/name", "screen/width", "location/country",
      "campaign/name");
  private static final DestinationConfig EVERYTHING_ON = new DestinationConfig("main", "T0KEN",
      null, null, null, null, null, new MixpanelSettings(true, true, true, true,
          MixpanelSettings.PageCalls.each, true, true, null, null, List.of("E", "Loaded a Page"),
          List.of("revenue", "n"), List.of("company"), List.of("plan"), true, "src", null, null,
          null, null), null, null);
  private final Translator translator = new Translator();

  @Provide
  Arbitrary<JsonNode> values() {
    return Arbitraries.of(F.textNode(""), F.textNode("x"), F.textNode("1e400"), F.numberNode(0),
        F.numberNode(-1.5), F.booleanNode(false), F.nullNode(), F.objectNode(), F.arrayNode(),
        F.arrayNode().add("a").add(1), F.objectNode().put("k", "v"), F.textNode("NaN"),
        F.textNode("Android"));
  }

  @Property(tries = 400)
  void everyTypeOfCallAnswersForAnyValueShapes(@ForAll("values") JsonNode a,
      @ForAll("values") JsonNode b, @ForAll("values") JsonNode c,
      @ForAll("types") String type) {
    ObjectNode raw = F.objectNode().put("type", type).put("messageId", "m-1")
        .put("userId", "u1").put("anonymousId", "a1").put("previousId", "p1")
        .put("event", "E").put("groupId", "g").put("name", "N").put("category", "C")
        .put("timestamp", "2024-03-01T10:00:00Z");
    ObjectNode context = raw.putObject("context");
    int i = 0;
    for (String path : PATHS) {
      JsonNode value = List.of(a, b, c).get(i++ % 3).deepCopy();
      String[] parts = path.split("/");
      if (parts.length == 1) {
        context.set(parts[0], value);
      } else if (context.get(parts[0]) instanceof ObjectNode o) {
        o.set(parts[1], value);
      } else {
        context.putObject(parts[0]).set(parts[1], value);
      }
    }
    raw.putObject("properties").set("revenue", a.deepCopy());
    raw.withObject("properties").set("n", b.deepCopy());
    raw.putObject("traits").set("company", c.deepCopy());
    raw.withObject("traits").set("plan", a.deepCopy());
    raw.withObject("traits").set("name", b.deepCopy());
    raw.withObject("traits").set("tags", c.deepCopy());
    raw.putObject("integrations").set("Mixpanel", b.deepCopy());
    Validation v = new MessageNormalizer(() -> "g").normalize(raw, null, null,
        Instant.parse("2024-03-01T10:00:05Z"));
    if (v instanceof Validation.Invalid) {
      return; // refused at intake, never translated
    }
    Translation t = translator.translate(((Validation.Valid) v).message(), EVERYTHING_ON,
        key -> F.objectNode().set("super", a.deepCopy()));
    assertThat(t).isNotNull();
    if (t instanceof Translation.Translated tr) {
      tr.records().forEach(r -> assertThat(JSON.valueToTree(r.body()).isObject()).isTrue());
      tr.records().forEach(r -> assertThat(r.body().toString()).doesNotContain("Infinity"));
    }
  }

  @Provide
  Arbitrary<String> types() {
    return Arbitraries.of("track", "page", "screen", "identify", "group", "alias");
  }
}

package dev.mixrelay.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.Validation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * How far mixrelay's records agree with the public test suites of Segment's two Mixpanel
 * destinations, with the matching {@code compat} preset. Each case under
 * {@code src/test/resources/agreement/<legacy|actions>/} is our own writing of one suite case:
 * {settings, message, expected payloads}. A case agrees when every expected payload has a record
 * holding each of its keys with an equal value (the suites' own reading, {@code objectContaining}),
 * apart from the transport: {@code token}/{@code $token} (auth is Basic) and event {@code time} in
 * seconds (the legacy {@code /track}). Prints the figure and each differing key; asserts only that
 * every case runs.
 */
class PresetAgreementTest {
  static final Path ROOT = Path.of("src/test/resources/agreement");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant RECEIVED_AT = Instant.parse("2024-03-01T10:00:05Z");
  private final Translator translator = new Translator();

  /**
   * The settings that reproduce the legacy integration's own shapes; the {@code legacy} preset
   * leaves them off (on, they would change what today's preset sends), so the report gives the
   * legacy figure twice: with the preset alone and with these on.
   */
  static final Map<String, Boolean> LEGACY_SHAPES = Map.of("nameTag", true, "idProperty", true,
      "legacyPropertyNames", true, "legacyDeviceProperties", true, "legacyProfileFields", true,
      "chargesWithoutPeople", true);

  @Test
  void reportsHowManySuiteCasesAgreeApartFromTheTransport() throws IOException {
    StringBuilder report = new StringBuilder();
    for (String suite : List.of("legacy", "actions")) {
      report.append(figure(suite, Map.of()));
    }
    report.append(figure("legacy", LEGACY_SHAPES));
    System.out.print(report);
  }

  private String figure(String suite, Map<String, Boolean> extra) throws IOException {
    int cases = 0;
    int agree = 0;
    StringBuilder report = new StringBuilder();
    {
      List<Path> files;
      try (Stream<Path> s = Files.list(ROOT.resolve(suite))) {
        files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
      }
      for (Path file : files) {
        cases++;
        List<String> diffs;
        try {
          ObjectNode input = (ObjectNode) JSON.readTree(file.toFile());
          extra.forEach(((ObjectNode) input.get("settings"))::put);
          diffs = run(suite, input);
        } catch (IOException e) {
          // a suite setting mixrelay does not have: the case differs, it does not stop the count
          diffs = List.of("settings: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (diffs.isEmpty()) {
          agree++;
        } else {
          report.append(suite).append('/').append(file.getFileName()).append(": ")
              .append(String.join("; ", diffs)).append('\n');
        }
      }
    }
    assertThat(cases).isPositive();
    return String.format("preset %s%s agreement: %d of %d cases (%d%%)%n%s", suite,
        extra.isEmpty() ? "" : " + " + String.join(", ", new java.util.TreeSet<>(extra.keySet())),
        agree, cases, agree * 100 / cases, report);
  }

  private List<String> run(String suite, ObjectNode input) throws IOException {
    ObjectNode dest = JSON.createObjectNode().put("name", "agreement").put("token", "T0KEN");
    ObjectNode settings = input.get("settings").deepCopy();
    settings.put("compat", suite);
    dest.set("settings", settings);
    DestinationConfig destination = JSON.treeToValue(dest, DestinationConfig.class);
    Validation v = new MessageNormalizer(() -> "agreement-message-id")
        .normalize(input.get("message"), null, null, RECEIVED_AT);
    if (v instanceof Validation.Invalid bad) {
      return List.of("refused at intake: " + bad.describe());
    }
    Translation t = translator.translate(((Validation.Valid) v).message(), destination,
        ProfileView.EMPTY);
    if (!(t instanceof Translation.Translated tr)) {
      return List.of("not translated: " + t);
    }
    List<String> diffs = new ArrayList<>();
    List<MixpanelRecord> records = new ArrayList<>(tr.records());
    for (JsonNode expected : input.get("expected")) {
      MixpanelRecord best = null;
      List<String> bestDiffs = null;
      for (MixpanelRecord r : records) {
        List<String> d = new ArrayList<>();
        compare("", normalised(suite, expected), r.body(), d);
        if (bestDiffs == null || d.size() < bestDiffs.size()) {
          best = r;
          bestDiffs = d;
        }
      }
      if (best == null) {
        diffs.add("no record for " + expected);
      } else {
        records.remove(best);
        diffs.addAll(bestDiffs);
      }
    }
    return diffs;
  }

  /** The expected payload without its transport: no token, legacy event time in milliseconds. */
  private static JsonNode normalised(String suite, JsonNode expected) {
    ObjectNode e = expected.deepCopy();
    e.remove("$token");
    if (e.get("properties") instanceof ObjectNode p) {
      p.remove("token");
      if (suite.equals("legacy") && p.has("time") && p.get("time").asLong() < 100_000_000_000L) {
        p.put("time", p.get("time").asLong() * 1000);
      }
    }
    return e;
  }

  private static void compare(String path, JsonNode expected, JsonNode actual, List<String> out) {
    if (expected instanceof ObjectNode o && actual instanceof ObjectNode a) {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode got = a.get(e.getKey());
        if (got == null) {
          out.add(path + e.getKey() + " missing");
        } else {
          compare(path + e.getKey() + ".", e.getValue(), got, out);
        }
      }
    } else if (!(expected.equals(actual) || expected.isNumber() && actual.isNumber()
        && expected.decimalValue().compareTo(actual.decimalValue()) == 0)) {
      out.add(path + " " + expected + " vs " + actual);
    }
  }
}

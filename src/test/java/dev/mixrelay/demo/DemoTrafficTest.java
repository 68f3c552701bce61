package dev.mixrelay.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DemoTrafficTest {
  private static final Instant DAY = Instant.parse("2026-11-22T00:00:00Z");

  @Test
  void theSameSeedGivesTheSameMessagesAndAnotherSeedDoesNot() {
    assertThat(json(DemoTraffic.generate(3, 50, DAY))).isEqualTo(json(DemoTraffic.generate(3, 50, DAY)));
    assertThat(json(DemoTraffic.generate(4, 50, DAY))).isNotEqualTo(json(DemoTraffic.generate(3, 50, DAY)));
  }

  @Test
  void messagesComeInTimestampOrderWithinTheDay() {
    List<DemoTraffic.Message> all = DemoTraffic.generate(1, 200, DAY).messages();
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).time()).isGreaterThanOrEqualTo(all.get(i - 1).time());
    }
    assertThat(all.get(0).time()).isGreaterThanOrEqualTo(DAY.toEpochMilli());
    assertThat(all.get(all.size() - 1).time()).isLessThan(DAY.plusSeconds(86_400).toEpochMilli());
  }

  @Test
  void everyCallTypeAppearsWithTheTraitsAndPropertiesTheDemoShows() {
    DemoTraffic.Day day = DemoTraffic.generate(1, 300, DAY);
    Set<String> types = day.messages().stream().map(m -> m.json().path("type").asText())
        .collect(Collectors.toSet());
    assertThat(types).contains("page", "screen", "track", "identify", "group", "alias", "bogus");
    assertThat(day.messages()).anyMatch(m -> m.json().path("traits").has("email")
        && m.json().path("traits").has("plan") && m.json().path("traits").has("name"));
    assertThat(day.messages()).anyMatch(m -> m.json().path("properties").has("revenue"));
    assertThat(day.messages()).anyMatch(m -> m.json().path("traits").has("company"));
    assertThat(day.messages()).anyMatch(m -> m.json().path("context").has("app"));
    assertThat(day.malformed()).isEqualTo(4);
    long usersWithTwoDevices = day.messages().stream().filter(m -> m.json().has("userId"))
        .collect(Collectors.groupingBy(m -> m.json().get("userId").asText(),
            Collectors.mapping(m -> m.json().get("anonymousId").asText(), Collectors.toSet())))
        .values().stream().filter(s -> s.size() > 1).count();
    assertThat(usersWithTwoDevices).isPositive();
  }

  private static List<JsonNode> json(DemoTraffic.Day day) {
    return day.messages().stream().map(m -> (JsonNode) m.json()).toList();
  }
}

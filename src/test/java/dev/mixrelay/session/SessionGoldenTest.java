package dev.mixrelay.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden session timeline gives its expected Session Start / End records.
 * {@code -Dgolden.update=true} rewrites the expected files (review the diff).
 */
class SessionGoldenTest {

  static Stream<Path> cases() throws IOException {
    return GoldenTimelines.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void timelineGivesTheExpectedSessions(Path dir) throws IOException {
    JsonNode actual = GoldenTimelines.run(GoldenTimelines.read(dir.resolve("input.json")));
    Path expected = dir.resolve("expected.json");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(expected, GoldenTimelines.JSON.writeValueAsString(actual) + "\n");
    }
    assertThat(actual).isEqualTo(GoldenTimelines.read(expected));
  }
}

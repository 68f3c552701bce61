package dev.mixrelay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.mock.MockMixpanel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code import} as a process: each rejected line named, --rejects, the embedded-mock warning. */
class ImportRejectsTest {

  @TempDir
  Path dir;

  @Test
  void eachRejectedLineIsNamedAndWrittenToTheRejectsFile() throws Exception {
    try (MockMixpanel mock = MockMixpanel.builder().port(0).build().start()) {
      Path config = config("\"" + mock.baseUrl() + "\"");
      Path file = dir.resolve("events.ndjson");
      Files.writeString(file, String.join("\r\n", List.of(
          "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"A\",\"messageId\":\"m1\"}",
          "",
          "not json at all",
          "{\"type\":\"track\",\"userId\":\"u\",\"messageId\":\"m2\"}",
          "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"B\",\"messageId\":\"m3\"}")) + "\n");
      Path rejects = dir.resolve("rejects.txt");
      Jar.Result r = Jar.run("import", file.toString(), "--config", config.toString(),
          "--rejects", rejects.toString());
      assertThat(r.code()).as(r.all()).isZero();
      assertThat(r.err()).contains(file + ":3: message: must be a JSON object on one line")
          .contains(file + ":4: event: is required for track")
          .contains("2 rejected message(s) written to " + rejects)
          .doesNotContain("embedded mock");
      assertThat(Files.readAllLines(rejects)).containsExactly(
          file + ":3: message: must be a JSON object on one line",
          file + ":4: event: is required for track");
      assertThat(r.out()).contains("accepted 2, rejected 2");
    }
  }

  @Test
  void importingIntoTheEmbeddedMockWarnsThatItVanishes() throws Exception {
    Path config = config("embedded-mock");
    Path file = dir.resolve("one.ndjson");
    Files.writeString(file, "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"A\"}\n");
    Jar.Result r = Jar.run("import", file.toString(), "--config", config.toString());
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.err()).contains("warning: destination main in " + config + " delivers to the"
        + " embedded mock Mixpanel (apiHost: embedded-mock), which stops when this import ends");
  }

  private Path config(String apiHost) throws Exception {
    Path config = dir.resolve("relay-" + Math.abs(apiHost.hashCode()) + ".yaml");
    Files.writeString(config, """
        server: { host: 127.0.0.1, port: 0 }
        storage: { dir: "%s" }
        sources: [ { writeKey: import-key, destination: main } ]
        destinations:
          main: { token: t, apiSecret: s, apiHost: %s, delivery: { linger: 10ms } }
        mock: { port: 0 }
        logging: { level: WARN }
        """.formatted(dir.resolve("data-" + Math.abs(apiHost.hashCode())).toString()
        .replace("\\", "/"), apiHost));
    return config;
  }
}

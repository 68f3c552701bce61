package dev.mixrelay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mixrelay.config.ConfigException;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sources[].dedup.window}: a source's own messageId window over the top-level default. */
class SourceDedupWindowTest {
  private static final String YAML = """
      dedup: { window: 12h }
      sources:
        - { name: web, writeKey: k1, destination: main }
        - { name: backfill, writeKey: k2, destination: main, dedup: { window: 30d } }
        - { name: raw, writeKey: k3, destination: main, dedup: { window: 0s } }
      destinations:
        main: { token: t1 }
      """;

  @TempDir
  Path dir;

  @Test
  void aSourcesWindowOverridesTheTopLevelOneAndTheOthersKeepIt() {
    RelayConfig c = ConfigLoader.parse(YAML, Map.of(), "t");
    assertThat(c.dedupWindowMillisBySource()).containsExactly(
        Map.entry("web", 12 * 3600_000L), Map.entry("backfill", 30 * 86_400_000L),
        Map.entry("raw", 0L));
  }

  @Test
  void aWindowOutOfRangeIsRefusedNamingTheSourcesKey() {
    assertThatThrownBy(() -> ConfigLoader.parse(YAML.replace("window: 30d", "window: 31d"),
        Map.of(), "t"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sources[1].dedup.window must be between 0s and 30d, was 31d");
    assertThatThrownBy(() -> ConfigLoader.parse(YAML.replace("window: 30d", "windw: 1h"),
        Map.of(), "t"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sources[1].dedup.windw");
  }

  @Test
  void checkConfigShowsEachSourcesWindowAndWhereItComesFrom() throws Exception {
    Path config = dir.resolve("c.yaml");
    Files.writeString(config, YAML);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream before = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = new CommandLine(new CheckConfigCommand()).execute("--config", config.toString());
    } finally {
      System.setOut(before);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(printed).isZero();
    assertThat(printed)
        .contains("# source web -> main, webhooks unsigned, messageId window 12h (dedup.window)")
        .contains("# source backfill -> main, webhooks unsigned, messageId window 30d"
            + " (sources[].dedup.window)")
        .contains("# source raw -> main, webhooks unsigned, messageId window off"
            + " (sources[].dedup.window)");
  }
}

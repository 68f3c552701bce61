package dev.mixrelay.cli;

import dev.mixrelay.demo.DemoTraffic;
import dev.mixrelay.demo.DemoSummary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo, run in-process on the default config with a few users. */
class DemoCommandTest {

  @Test
  void summaryReconcilesAndIsTheSameForTheSameSeed() throws Exception {
    RelayConfig config = ConfigLoader.load(Path.of("config/mixrelay.yaml"), Map.of());
    DemoSummary first = DemoCommand.run(config, 7, 30);
    DemoSummary second = DemoCommand.run(config, 7, 30);

    assertThat(first.reconciles()).as(first.format(0)).isTrue();
    assertThat(second).isEqualTo(first);
    int malformed = DemoTraffic.generate(7, 30, Instant.parse("2026-01-01T00:00:00Z")).malformed();
    assertThat(first.rejected()).isEqualTo(malformed);
    assertThat(first.sent()).isEqualTo(first.accepted() + malformed);
    assertThat(first.delivered()).isPositive();
    assertThat(first.skipped()).isPositive();
    assertThat(first.atMock().get("/import")).isGreaterThan(first.delivered());
    assertThat(first.atMock().get("/engage")).isPositive();
    assertThat(first.sessions()).isPositive();
    assertThat(first.meanSessionSeconds()).isPositive();
    assertThat(first.format(1.0)).contains("the numbers reconcile")
        .contains("accepted = ").contains("/groups");
  }

  @Test
  void isRegisteredAsDemo() {
    assertThat(Main.commands().get("demo")).isInstanceOf(DemoCommand.class);
  }
}

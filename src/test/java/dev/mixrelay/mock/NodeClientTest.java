package dev.mixrelay.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeClientTest {

  @Test
  void reportsAFailedRunWithItsOutputWhenNothingListens() {
    NodeClient.Result r = NodeClient.send("http://127.0.0.1:9", "wk", Duration.ofSeconds(60));

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.output()).contains("delivered 0/6");
  }
}

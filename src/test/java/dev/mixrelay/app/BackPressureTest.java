package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the log holds more than storage.maxLogBytes unacknowledged, intake answers 503 + Retry-After. */
class BackPressureTest {
  @TempDir
  Path dir;

  @Test
  void intakeAnswers503WithRetryAfterAndIsNotReadyWhenTheLogIsFull() {
    var config = RelayFixture.baseYaml(dir, "", "http://127.0.0.1:1");
    var small = new dev.mixrelay.config.RelayConfig(config.server(),
        new dev.mixrelay.config.StorageConfig(dir.toString(), null, 1_048_576L, null),
        config.sources(), config.destinations(), config.admin(), config.logging(), config.mock());
    try (RelayFixture fx = new RelayFixture(dir, small).startIntakeOnly()) {
      String padding = "x".repeat(3000);
      StringBuilder batch = new StringBuilder("{\"batch\":[");
      for (int i = 0; i < 100; i++) {
        batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\","
            + "\"properties\":{\"p\":\"" + padding + "\"}}");
      }
      Buffer body = Buffer.buffer(batch.append("]}").toString());
      Map<String, String> auth = Map.of("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY));
      int accepted = 0;
      HttpResponse<Buffer> r = null;
      for (int i = 0; i < 10; i++) {
        r = fx.post("/v1/batch", body, auth);
        if (r.statusCode() != 200) {
          break;
        }
        accepted++;
      }
      assertThat(accepted).isBetween(3, 5);
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.getHeader("Retry-After")).isEqualTo("5");
      assertThat(r.bodyAsJsonObject().getString("error")).contains("full");
      HttpResponse<Buffer> ready = fx.get("/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.bodyAsString()).contains("maxLogBytes");
      assertThat(fx.get("/health").statusCode()).isEqualTo(200);
      assertThat(fx.logged()).hasSize(accepted * 100);
    }
  }
}

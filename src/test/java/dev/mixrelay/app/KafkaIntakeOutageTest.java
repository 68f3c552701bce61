package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.cluster.EmbeddedKafka;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An intake node whose Kafka brokers cannot be reached refuses with 503 + Retry-After within
 * seconds, never with a 200, and says why on /ready.
 */
class KafkaIntakeOutageTest {
  private static final Map<String, String> AUTH =
      Map.of("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY));
  private static final String TRACK = "{\"userId\":\"u1\",\"event\":\"Signed Up\"}";

  @TempDir
  Path dir;

  @Test
  void withTheBrokersUnreachableIntakeAnswers503WithRetryAfterAndIsNotReady() throws Exception {
    String closedPort = "127.0.0.1:" + closedPort();
    try (RelayFixture fx = node(closedPort)) {
      long started = System.nanoTime();
      HttpResponse<Buffer> r = fx.post("/v1/track", TRACK, AUTH);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.getHeader("Retry-After")).isNotBlank();
      assertThat(r.bodyAsString()).doesNotContain("test-api-secret", RelayFixture.WRITE_KEY);

      HttpResponse<Buffer> ready = fx.get("/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.bodyAsString())
          .contains("the Kafka producer cannot reach kafka.bootstrapServers")
          .doesNotContain(closedPort);
      assertThat(fx.get("/health").statusCode()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("when the broker stops, intake answers 503 with Retry-After within seconds")
  void whenTheBrokerStopsIntakeAnswers503WithinSeconds() {
    EmbeddedKafka own = EmbeddedKafka.start();
    boolean closed = false;
    try (RelayFixture fx = node(own.bootstrapServers())) {
      assertThat(fx.post("/v1/track", TRACK, AUTH).statusCode()).isEqualTo(200);
      own.close();
      closed = true;
      long started = System.nanoTime();
      HttpResponse<Buffer> r = fx.post("/v1/track", TRACK, AUTH);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.getHeader("Retry-After")).isNotBlank();
      fx.waitUntil(() -> !fx.relay.notReadyReasons().isEmpty(), () -> "/ready stays 200");
      HttpResponse<Buffer> ready = fx.get("/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.bodyAsString()).contains("cannot reach kafka.bootstrapServers");
    } finally {
      if (!closed) {
        own.close();
      }
    }
  }

  private RelayFixture node(String brokers) {
    RelayFixture fx = new RelayFixture(dir, RelayFixture.baseYaml(dir, KafkaIntakeTest.clusterYaml(
        brokers, EmbeddedKafka.unique("intake"), EmbeddedKafka.unique("dead"),
        EmbeddedKafka.unique("links")), "http://127.0.0.1:1"));
    fx.relay = RelayFixture.await(Relay.start(fx.vertx, fx.config, Clock.systemUTC(),
        r -> new RelayFixture.RecordingDelivery()));
    return fx;
  }

  /** A loopback port nothing listens on (bound, then released). */
  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

package dev.mixrelay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.cluster.EmbeddedKafka;
import dev.mixrelay.mock.MockMixpanel;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code config/cluster.local.yaml} run with the jar, as the README's cluster commands do, against
 * "your own brokers" (a real KRaft broker in the test JVM) and a mock Mixpanel: a track call sent
 * to the node arrives at the mock. Only what differs on a shared test machine is overridden
 * (free ports, the broker's address, unique topic names and a temporary state dir).
 */
class ClusterJarTest {

  @TempDir
  Path dir;

  @Test
  void theLocalClusterConfigRunsWithTheJarAgainstYourOwnBrokers() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.shared();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (MockMixpanel mock = MockMixpanel.builder().port(0).credential("local-api-secret", "")
        .build().start()) {
      ProcessBuilder pb = new ProcessBuilder(Jar.command(List.of("--config",
          "config/cluster.local.yaml"))).redirectErrorStream(true)
          .redirectOutput(dir.resolve("node.log").toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("MIXRELAY_"));
      String id = EmbeddedKafka.unique("jar");
      pb.environment().put("MIXRELAY_KAFKA_BOOTSTRAPSERVERS", kafka.bootstrapServers());
      pb.environment().put("MIXRELAY_SERVER_PORT", Integer.toString(port));
      pb.environment().put("MIXRELAY_DESTINATIONS_MAIN_APIHOST", mock.baseUrl());
      pb.environment().put("MIXRELAY_KAFKA_STATEDIR", dir.resolve("state").toString());
      pb.environment().put("MIXRELAY_KAFKA_APPLICATIONID", id);
      pb.environment().put("MIXRELAY_KAFKA_INTAKETOPIC", id + "-intake");
      pb.environment().put("MIXRELAY_KAFKA_DEADLETTERTOPIC", id + "-dead");
      pb.environment().put("MIXRELAY_KAFKA_LINKSTOPIC", id + "-links");
      Process node = pb.start();
      try {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest track = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/v1/track")).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString("local-write-key:".getBytes()))
            .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"u1\",\"event\":\"E\"}"))
            .build();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int status = 0;
        while (status != 200 && System.nanoTime() < end) {
          assertThat(node.isAlive()).as(() -> log()).isTrue();
          try {
            status = http.send(track, HttpResponse.BodyHandlers.ofString()).statusCode();
          } catch (java.io.IOException notYet) {
            // not listening yet
          }
          if (status != 200) {
            Thread.sleep(250);
          }
        }
        assertThat(status).as(this::log).isEqualTo(200);
        while (mock.events("u1").isEmpty() && System.nanoTime() < end) {
          Thread.sleep(250);
        }
        assertThat(mock.events("u1")).as(this::log).extracting(r -> r.eventName())
            .contains("E");
      } finally {
        node.destroy();
        node.waitFor(60, TimeUnit.SECONDS);
        node.destroyForcibly();
      }
    }
  }

  private String log() {
    try {
      return java.nio.file.Files.readString(dir.resolve("node.log"));
    } catch (java.io.IOException e) {
      return "";
    }
  }
}

package dev.mixrelay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay runs as a process; the read-only commands work beside it on the same storage, the one
 * that writes says in one line why it cannot, and SIGTERM ends the relay within
 * server.shutdownTimeout even while its destination fails.
 */
class RelayBesideCommandsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path dir;

  @Test
  void readOnlyCommandsWorkWhileTheRelayRunsAndItStopsWithinItsDeadline() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    // a Mixpanel that accepts connections and never answers: every request waits, then fails
    try (ServerSocket silent = new ServerSocket(0)) {
      Path config = dir.resolve("relay.yaml");
      Files.writeString(config, """
          server: { host: 127.0.0.1, port: %d, shutdownTimeout: 4s }
          storage: { dir: "%s" }
          sources: [ { writeKey: wk-Zq81-secret, destination: main } ]
          destinations:
            main:
              token: tok-Zq81-token
              apiSecret: api-Zq81-secret
              apiHost: "http://127.0.0.1:%d"
              delivery: { linger: 10ms, requestTimeout: 1s, initialBackoff: 100ms, maxBackoff: 200ms }
          """.formatted(port, dir.resolve("data").toString().replace("\\", "/"),
          silent.getLocalPort()));
      Path output = dir.resolve("relay.log");
      Process relay = new ProcessBuilder(Jar.command(List.of("--config", config.toString())))
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      try {
        awaitReady(port, relay, output);
        HttpResponse<String> accepted = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/track"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                "wk-Zq81-secret:".getBytes(StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"u1\",\"event\":\"E\"}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).isEqualTo(200);

        Jar.Result list = Jar.run("dead-letters", "list", "--config", config.toString());
        assertThat(list.code()).as(list.all()).isZero();
        assertThat(list.err()).isEqualTo("0 dead letter(s)\n");

        Jar.Result status = Jar.run("status", "--config", config.toString());
        assertThat(status.code()).as(status.all()).isZero();
        assertThat(status.out()).contains("a relay is running on it").contains("destination main:")
            .contains("ready: 200");

        Jar.Result check = Jar.run("check-config", "--config", config.toString());
        assertThat(check.code()).as(check.all()).isZero();
        assertThat(check.all()).doesNotContain("Zq81");

        Jar.Result replay = Jar.run("dead-letters", "replay", "--config", config.toString());
        assertThat(replay.code()).isEqualTo(1);
        assertThat(replay.err().strip()).doesNotContain("\n").contains("a relay is running on")
            .contains("stop it first");
        assertThat(replay.all()).doesNotContain("Exception");

        // /ready stays 200 (intake accepts) and says the destination is failing
        awaitFailing(port);

        long t0 = System.nanoTime();
        relay.destroy(); // SIGTERM
        assertThat(relay.waitFor(15, TimeUnit.SECONDS)).isTrue();
        double seconds = (System.nanoTime() - t0) / 1e9;
        String log = Files.readString(output);
        assertThat(seconds).as(log).isLessThan(4 + 2.5);
        assertThat(log).contains("the process ends within 4s (server.shutdownTimeout)")
            .doesNotContain("TimeoutException").doesNotContain("\tat ")
            .contains("destination main is failing: /import")
            .doesNotContain("Zq81");
      } finally {
        relay.destroyForcibly();
      }
    }
  }

  private static void awaitReady(int port, Process relay, Path output) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      assertThat(relay.isAlive()).as(() -> read(output)).isTrue();
      try {
        if (get(port, "/ready").statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the relay did not become ready: " + read(output));
  }

  private static void awaitFailing(int port) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    HttpResponse<String> ready = get(port, "/ready");
    while (!ready.body().contains("\"failing\"") && System.nanoTime() < end) {
      Thread.sleep(100);
      ready = get(port, "/ready");
    }
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"destinations\":{\"main\":{\"state\":\"failing\"")
        .contains("\"cause\":\"/import timed out after 1s\"");
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return "";
    }
  }
}

package dev.mixrelay.app;

import dev.mixrelay.cli.Main;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.mock.MockMixpanel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay runs as its own process with every kind of secret configured, is fed bad write keys,
 * bad signatures, bad admin tokens, and a Mixpanel that refuses its credentials; neither its log
 * output nor any response body nor /metrics contains a configured secret.
 */
class SecretsNeverLeakTest {
  private static final List<String> SECRETS = List.of("wk-Zq81-secret", "hook-Zq81-secret",
      "api-Zq81-secret", "sa-Zq81-secret", "admin-Zq81-secret", "tok-Zq81-token");

  @TempDir
  Path dir;

  @Test
  void noConfiguredSecretReachesALogLineAResponseOrAMetric() throws Exception {
    try (MockMixpanel mock = MockMixpanel.builder().port(0).credential("someone-else", "x").build().start()) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path config = dir.resolve("secrets.yaml");
      Files.writeString(config, """
          server: { host: 127.0.0.1, port: %d }
          storage: { dir: "%s" }
          sources: [ { writeKey: %s, destination: main, webhookSecret: %s } ]
          destinations:
            main:
              token: %s
              apiSecret: %s
              serviceAccount: { username: sa-user, secret: %s }
              projectId: "42"
              apiHost: "%s"
              delivery: { linger: 10ms, initialBackoff: 100ms, maxBackoff: 500ms }
          admin: { token: %s }
          logging: { level: DEBUG }
          """.formatted(port, dir.resolve("data").toString().replace("\\", "/"), SECRETS.get(0),
          SECRETS.get(1), SECRETS.get(5), SECRETS.get(2), SECRETS.get(3), mock.baseUrl(), SECRETS.get(4)));
      Path logFile = dir.resolve("relay.log");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process relay = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          Main.class.getName(), "--config", config.toString())
          .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
      Vertx vertx = Vertx.vertx();
      WebClient client = WebClient.create(vertx);
      List<String> bodies = new ArrayList<>();
      try {
        waitFor(vertx, () -> get(client, port, "/health", null) == 200);
        bodies.add(post(client, port, "/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}", RelayFixture.basic(SECRETS.get(0))));
        bodies.add(post(client, port, "/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}", RelayFixture.basic("wk-Zq81-secreT")));
        bodies.add(post(client, port, "/webhook/" + SECRETS.get(0), "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}", null));
        bodies.add(post(client, port, "/v1/track", "{\"userId\":", RelayFixture.basic(SECRETS.get(0))));
        bodies.add(body(client.get(port, "127.0.0.1", "/admin/status").putHeader("Authorization", "Bearer wrong")));
        bodies.add(body(client.get(port, "127.0.0.1", "/admin/status").putHeader("Authorization", "Bearer " + SECRETS.get(4))));
        bodies.add(body(client.get(port, "127.0.0.1", "/ready")));
        // the mock refuses the relay's credentials: the destination goes unauthorised and says so
        waitFor(vertx, () -> get(client, port, "/ready", null) == 503);
        bodies.add(body(client.get(port, "127.0.0.1", "/ready")));
        bodies.add(body(client.get(port, "127.0.0.1", "/metrics")));
      } finally {
        relay.destroy();
        relay.waitFor(30, TimeUnit.SECONDS);
        vertx.close();
      }
      String log = Files.readString(logFile);
      assertThat(log).contains("starting with").contains("listening on");
      for (String secret : SECRETS) {
        assertThat(log).as("log output").doesNotContain(secret);
        for (String b : bodies) {
          assertThat(b).as("a response body").doesNotContain(secret);
        }
      }
    }
  }

  private static int get(WebClient client, int port, String path, String auth) {
    try {
      return client.get(port, "127.0.0.1", path).send().toCompletionStage().toCompletableFuture()
          .get(5, TimeUnit.SECONDS).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static String post(WebClient client, int port, String path, String body, String auth) throws Exception {
    var req = client.post(port, "127.0.0.1", path).putHeader("Content-Type", "application/json");
    if (auth != null) {
      req.putHeader("Authorization", auth);
    }
    HttpResponse<Buffer> r = req.sendBuffer(Buffer.buffer(body)).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    return r.bodyAsString();
  }

  private static String body(io.vertx.ext.web.client.HttpRequest<Buffer> req) throws Exception {
    return req.send().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).bodyAsString();
  }

  private static void waitFor(Vertx vertx, java.util.function.BooleanSupplier ok) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long id = vertx.setPeriodic(200, t -> vertx.executeBlocking(ok::getAsBoolean).onSuccess(v -> {
      if (v) {
        done.complete(null);
      }
    }));
    try {
      done.get(60, TimeUnit.SECONDS);
    } finally {
      vertx.cancelTimer(id);
    }
  }
}

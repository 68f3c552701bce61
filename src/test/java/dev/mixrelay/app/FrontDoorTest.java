package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS intake (HTTP/1.1 and HTTP/2), per-source rate limits, and slow clients timing out. */
class FrontDoorTest {
  @TempDir
  Path dir;

  private RelayConfig config(String server, String source) {
    return ConfigLoader.parse("""
        server: { host: 127.0.0.1, port: 0, %s }
        storage: { dir: "%s" }
        sources: [ { writeKey: door, destination: main %s } ]
        destinations: { main: { token: t, apiHost: "http://127.0.0.1:1" } }
        """.formatted(server, dir.toString().replace("\\", "/"), source), Map.of(), "t");
  }

  @Test
  void intakeServesHttpsOverHttp11AndHttp2() {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    RelayConfig config = config("tls: { certFile: \"" + cert.certificatePath() + "\", keyFile: \""
        + cert.privateKeyPath() + "\" }", "");
    try (RelayFixture fx = new RelayFixture(dir, config).startIntakeOnly()) {
      for (HttpVersion version : new HttpVersion[] {HttpVersion.HTTP_1_1, HttpVersion.HTTP_2}) {
        WebClient tls = WebClient.create(fx.vertx, new WebClientOptions().setSsl(true).setTrustAll(true)
            .setVerifyHost(false).setUseAlpn(true).setProtocolVersion(version));
        HttpResponse<Buffer> r = RelayFixture.await(tls.post(fx.relay.port(), "localhost", "/v1/track")
            .putHeader("Content-Type", "application/json").putHeader("Authorization", RelayFixture.basic("door"))
            .sendBuffer(Buffer.buffer("{\"userId\":\"u\",\"event\":\"Secure\"}")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(version);
      }
      assertThat(fx.logged()).hasSize(2);
    }
  }

  @Test
  void aNoisySourceIsAnswered429WithRetryAfter() {
    try (RelayFixture fx = new RelayFixture(dir, config("", ", maxRequestsPerSecond: 5")).startIntakeOnly()) {
      int ok = 0;
      HttpResponse<Buffer> limited = null;
      for (int i = 0; i < 20; i++) {
        HttpResponse<Buffer> r = fx.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}",
            Map.of("Authorization", RelayFixture.basic("door")));
        if (r.statusCode() == 200) {
          ok++;
        } else {
          limited = r;
        }
      }
      assertThat(ok).isBetween(5, 8);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.getHeader("Retry-After")).isNotBlank();
      assertThat(limited.bodyAsJsonObject().getString("error")).contains("requests per second")
          .doesNotContain("door");
    }
  }

  @Test
  void aClientThatNeverFinishesItsBodyIsTimedOut() throws Exception {
    try (RelayFixture fx = new RelayFixture(dir, config("requestTimeout: 1s", "")).startIntakeOnly();
         Socket socket = new Socket("127.0.0.1", fx.relay.port())) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Authorization: " + RelayFixture.basic("door") + "\r\nContent-Length: 1000\r\n\r\n{\"userId\"")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[512];
      int n = in.read(buf);
      String head = new String(buf, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
      assertThat(head).startsWith("HTTP/1.1 408");
      assertThat(fx.get("/health").statusCode()).isEqualTo(200);
    }
  }
}

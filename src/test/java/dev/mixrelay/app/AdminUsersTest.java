package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /admin/users/{id}} over real HTTP against a relay with the embedded mock: after
 * identify, track and alias calls it shows the identity links, the super properties and the open
 * session the relay holds, looked up by the userId, the anonymousId or the alias's previousId.
 */
class AdminUsersTest {
  private static final String ADMIN = "admin-token-users";

  @TempDir
  Path dir;

  private RelayConfig config(String adminYaml) {
    return ConfigLoader.parse("""
        server: { host: 127.0.0.1, port: 0 }
        storage: { dir: "%s" }
        sources: [ { writeKey: k, destination: main } ]
        destinations:
          main:
            token: t
            apiSecret: s
            apiHost: embedded-mock
            delivery: { linger: 20ms }
            sessions: { allowedLateness: 0s }
        mock: { host: 127.0.0.1, port: 0 }
        %s
        """.formatted(dir.toString().replace("\\", "/"), adminYaml), Map.of(), "t");
  }

  @Test
  void showsTheLinksSuperPropertiesAndOpenSessionHeldForAUserByAnyOfItsIds() {
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(180);
    RelayConfig config = config("admin: { token: " + ADMIN + " }");
    try (RelayFixture fx = new RelayFixture(dir, config)) {
      fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, Clock.systemUTC()));
      String batch = new JsonObject().put("batch", new JsonArray(List.of(
          call("track", t0, null, "anon-7").put("event", "Landing"),
          call("identify", t0.plusSeconds(60), "user-42", "anon-7")
              .put("traits", new JsonObject().put("plan", "pro")),
          call("track", t0.plusSeconds(120), "user-42", "anon-7").put("event", "Clicked"),
          call("alias", t0.plusSeconds(130), "user-42", null).put("previousId", "old-id-3"),
          call("identify", t0.plusSeconds(140), null, "anon-8")
              .put("traits", new JsonObject().put("theme", "dark"))))).encode();
      assertThat(fx.post("/v1/batch", batch, Map.of("Authorization", RelayFixture.basic("k")))
          .statusCode()).isEqualTo(200);
      fx.waitUntil(() -> fx.relay.log().stats().unackedMessages() == 0,
          () -> "" + fx.relay.log().stats());

      HttpResponse<Buffer> byUser = get(fx, "/admin/users/user-42", ADMIN);
      assertThat(byUser.statusCode()).as(byUser.bodyAsString()).isEqualTo(200);
      JsonObject user = byUser.bodyAsJsonObject();
      assertThat(user.getString("id")).isEqualTo("user-42");
      JsonObject main = user.getJsonObject("destinations").getJsonObject("main");
      assertThat(links(main)).containsExactly("anon-7 anonymousId", "old-id-3 aliasPreviousId");
      assertThat(main.getJsonObject("superProperties").getJsonObject("user-42").getString("plan"))
          .isEqualTo("pro");
      JsonArray sessions = main.getJsonArray("openSessions");
      assertThat(sessions).hasSize(1);
      JsonObject session = sessions.getJsonObject(0);
      // the device's session continued as the user's once identify linked them
      assertThat(session.getString("key")).isEqualTo("user-42");
      assertThat(session.getBoolean("user")).isTrue();
      assertThat(session.getString("deviceId")).isEqualTo("anon-7");
      assertThat(session.getString("start")).isEqualTo(t0.toString());
      assertThat(session.getString("lastEvent")).isEqualTo(t0.plusSeconds(120).toString());
      assertThat(session.getInteger("eventCount")).isEqualTo(2);
      assertThat(session.getString("startEventName")).isEqualTo("Landing");
      assertThat(session.getString("lastEventName")).isEqualTo("Clicked");
      assertThat(session.getString("sessionStartInsertId")).isNotBlank();

      JsonObject byAnonymous = get(fx, "/admin/users/anon-7", ADMIN).bodyAsJsonObject()
          .getJsonObject("destinations").getJsonObject("main");
      assertThat(links(byAnonymous)).containsExactly("user-42 userId");
      assertThat(byAnonymous.getJsonObject("superProperties").fieldNames())
          .containsExactly("user-42");
      assertThat(byAnonymous.getJsonArray("openSessions")).containsExactly(session);

      JsonObject byPrevious = get(fx, "/admin/users/old-id-3", ADMIN).bodyAsJsonObject()
          .getJsonObject("destinations").getJsonObject("main");
      assertThat(links(byPrevious)).containsExactly("user-42 aliasedTo");

      JsonObject device = get(fx, "/admin/users/anon-8", ADMIN).bodyAsJsonObject()
          .getJsonObject("destinations").getJsonObject("main");
      assertThat(links(device)).isEmpty();
      assertThat(device.getJsonObject("superProperties").getJsonObject("$device:anon-8")
          .getString("theme")).isEqualTo("dark");
      assertThat(device.getJsonArray("openSessions")).isEmpty();

      HttpResponse<Buffer> unknown = get(fx, "/admin/users/nobody", ADMIN);
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.bodyAsJsonObject().getString("error"))
          .contains("holds nothing for the id 'nobody'");

      HttpResponse<Buffer> anonymous = get(fx, "/admin/users/user-42", null);
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.bodyAsString()).doesNotContain("user-42").doesNotContain("pro");
      assertThat(get(fx, "/admin/users/user-42", "wrong-token").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void withoutAnAdminTokenTheEndpointDoesNotExist() {
    RelayConfig config = config("");
    try (RelayFixture fx = new RelayFixture(dir, config)) {
      fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, Clock.systemUTC()));
      String identify = call("identify", Instant.now(), "user-1", "anon-1")
          .put("traits", new JsonObject().put("plan", "pro")).encode();
      assertThat(fx.post("/v1/identify", identify, Map.of("Authorization", RelayFixture.basic("k")))
          .statusCode()).isEqualTo(200);
      fx.waitUntil(() -> fx.relay.log().stats().unackedMessages() == 0,
          () -> "" + fx.relay.log().stats());
      HttpResponse<Buffer> response = get(fx, "/admin/users/user-1", "anything");
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.bodyAsString()).doesNotContain("pro");
    }
  }

  private static JsonObject call(String type, Instant at, String userId, String anonymousId) {
    JsonObject m = new JsonObject().put("type", type)
        .put("messageId", type + "-" + at.toEpochMilli()).put("timestamp", at.toString());
    if (userId != null) {
      m.put("userId", userId);
    }
    if (anonymousId != null) {
      m.put("anonymousId", anonymousId);
    }
    return m;
  }

  private static List<String> links(JsonObject destination) {
    return destination.getJsonArray("links").stream().map(o -> (JsonObject) o)
        .map(l -> l.getString("id") + " " + l.getString("relation")).toList();
  }

  private static HttpResponse<Buffer> get(RelayFixture fx, String path, String token) {
    var req = fx.client.get(fx.relay.port(), "127.0.0.1", path);
    if (token != null) {
      req.putHeader("Authorization", "Bearer " + token);
    }
    return RelayFixture.await(req.send());
  }
}

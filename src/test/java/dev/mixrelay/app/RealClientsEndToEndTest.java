package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.segment.analytics.Analytics;
import com.segment.analytics.Callback;
import com.segment.analytics.messages.AliasMessage;
import com.segment.analytics.messages.GroupMessage;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.PageMessage;
import com.segment.analytics.messages.ScreenMessage;
import com.segment.analytics.messages.TrackMessage;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.MockMixpanel;
import dev.mixrelay.mock.NodeClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Segment libraries people already use, unchanged, send identify, track, page, screen, group
 * and alias through the relay; the test checks what the mock Mixpanel received.
 */
class RealClientsEndToEndTest {
  @TempDir
  Path dir;

  private RelayConfig config(MockMixpanel mock) {
    return ConfigLoader.parse("""
        server: { host: 127.0.0.1, port: 0 }
        storage: { dir: "%s" }
        sources: [ { writeKey: client-key, destination: main } ]
        destinations:
          main:
            token: client-token
            apiSecret: client-secret
            apiHost: "%s"
            delivery: { linger: 20ms }
            settings: { groupIdentifierTraits: [name, company_id] }
        """.formatted(dir.toString().replace("\\", "/"), mock.baseUrl()), Map.of(), "test");
  }

  @Test
  void analyticsNodeCallsArriveAtTheMockTranslated() {
    try (MockMixpanel mock = MockMixpanel.builder().port(0).build().start();
         RelayFixture fx = new RelayFixture(dir, config(mock))) {
      fx.relay = RelayFixture.await(Relay.start(fx.vertx, fx.config, Clock.systemUTC()));
      NodeClient.Result r = NodeClient.send("http://127.0.0.1:" + fx.relay.port(), "client-key",
          Duration.ofSeconds(120));
      assertThat(r.exitCode()).as(r.output()).isZero();
      fx.waitUntil(() -> fx.relay.log().stats().unackedMessages() == 0 && mock.events().size() >= 5,
          () -> "mock has " + mock.events());
      assertThat(mock.events("node-user-1")).extracting(MixpanelRecord::eventName)
          .contains("Order Completed", "Loaded a Page", "Loaded a Screen");
      assertThat(mock.eventsNamed("$identify")).isNotEmpty();
      MixpanelRecord order = mock.events("node-user-1", "Order Completed").get(0);
      assertThat(order.properties().get("mp_lib").asText()).isEqualTo("Segment: @segment/analytics-node");
      assertThat(mock.engageOps("node-user-1").toString()).contains("node@example.com");
    }
  }

  @Test
  void analyticsJavaCallsArriveAtTheMockTranslated() throws Exception {
    try (MockMixpanel mock = MockMixpanel.builder().port(0).build().start();
         RelayFixture fx = new RelayFixture(dir, config(mock))) {
      fx.relay = RelayFixture.await(Relay.start(fx.vertx, fx.config, Clock.systemUTC()));
      CountDownLatch done = new CountDownLatch(6);
      AtomicInteger failed = new AtomicInteger();
      Analytics analytics = Analytics.builder("client-key").endpoint("http://127.0.0.1:" + fx.relay.port())
          .flushQueueSize(6).callback(new Callback() {
            @Override
            public void success(Message message) {
              done.countDown();
            }

            @Override
            public void failure(Message message, Throwable throwable) {
              failed.incrementAndGet();
              done.countDown();
            }
          }).build();
      analytics.enqueue(IdentifyMessage.builder().userId("java-user").anonymousId("java-anon")
          .traits(Map.of("email", "java@example.com", "firstName", "Ada")));
      analytics.enqueue(TrackMessage.builder("Order Completed").userId("java-user")
          .properties(Map.of("revenue", 19.99)));
      analytics.enqueue(PageMessage.builder("Pricing").userId("java-user"));
      analytics.enqueue(ScreenMessage.builder("Home").anonymousId("java-anon"));
      analytics.enqueue(GroupMessage.builder("acme").userId("java-user").traits(Map.of("name", "Acme")));
      analytics.enqueue(AliasMessage.builder("java-anon").userId("java-user"));
      analytics.flush();
      assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
      analytics.shutdown();
      assertThat(failed.get()).isZero();
      fx.waitUntil(() -> fx.relay.log().stats().unackedMessages() == 0 && mock.groupOps().size() >= 1,
          () -> "mock has " + mock.events() + " groups " + mock.groupOps());
      assertThat(mock.events()).extracting(MixpanelRecord::eventName)
          .contains("Order Completed", "Loaded a Page", "Loaded a Screen", "$identify");
      assertThat(mock.events("java-user", "Order Completed").get(0).properties().get("mp_lib").asText())
          .isEqualTo("Segment: analytics-java");
      assertThat(mock.engageOps("java-user").toString()).contains("$email").contains("$first_name")
          .contains("$transactions").contains("Acme");
      assertThat(mock.groupOps().get(0).body().get("$group_key").asText()).isEqualTo("name");
      assertThat(List.of(mock.groupOps().get(0).body().get("$group_id").asText())).containsExactly("Acme");
    }
  }
}

package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.segment.analytics.Analytics;
import com.segment.analytics.Callback;
import com.segment.analytics.messages.AliasMessage;
import com.segment.analytics.messages.GroupMessage;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.PageMessage;
import com.segment.analytics.messages.ScreenMessage;
import com.segment.analytics.messages.TrackMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Segment Java library, pointed at the relay with endpoint(...), lands its messages in the log. */
class SegmentJavaClientTest {
  @TempDir
  Path dir;

  @Test
  void analyticsJavaMessagesArriveInTheLog() throws Exception {
    try (RelayFixture fx = new RelayFixture(dir, (String) null).startIntakeOnly()) {
      CountDownLatch done = new CountDownLatch(6);
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      Analytics analytics = Analytics.builder(RelayFixture.WRITE_KEY)
          .endpoint("http://127.0.0.1:" + fx.relay.port())
          .flushQueueSize(6)
          .callback(new Callback() {
            @Override
            public void success(Message message) {
              done.countDown();
            }

            @Override
            public void failure(Message message, Throwable throwable) {
              failures.add(throwable);
              done.countDown();
            }
          })
          .build();
      analytics.enqueue(IdentifyMessage.builder().userId("java-user").anonymousId("java-anon")
          .traits(Map.of("email", "java@example.com")));
      analytics.enqueue(TrackMessage.builder("Order Completed").userId("java-user")
          .properties(Map.of("revenue", 19.99)));
      analytics.enqueue(PageMessage.builder("Pricing").userId("java-user"));
      analytics.enqueue(ScreenMessage.builder("Home").userId("java-user"));
      analytics.enqueue(GroupMessage.builder("acme").userId("java-user").traits(Map.of("name", "Acme")));
      analytics.enqueue(AliasMessage.builder("java-anon").userId("java-user"));
      analytics.flush();
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
      analytics.shutdown();
      assertThat(failures).isEmpty();

      ObjectMapper json = new ObjectMapper();
      List<String> types = new ArrayList<>();
      for (var m : fx.logged()) {
        JsonNode n = json.readTree(m.json());
        types.add(n.get("type").asText());
        assertThat(n.at("/context/library/name").asText()).isEqualTo("analytics-java");
        assertThat(n.get("messageId").asText()).isNotEmpty();
      }
      assertThat(types).containsExactlyInAnyOrder("identify", "track", "page", "screen", "group", "alias");
    }
  }
}

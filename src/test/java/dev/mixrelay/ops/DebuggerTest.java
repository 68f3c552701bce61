package dev.mixrelay.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.SegmentMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The debugger's sampling, filters and history, without HTTP. */
class DebuggerTest {
  private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  private final Debugger debugger = new Debugger(now::get);

  @Test
  void isActiveOnlyWhileAViewerIsConnected() {
    assertThat(debugger.active()).isFalse();
    DebugViewer viewer = viewer(null, null, null, null);
    assertThat(debugger.active()).isTrue();
    debugger.disconnect(viewer);
    assertThat(debugger.active()).isFalse();
  }

  @Test
  void eachViewerGetsAtMostFiftyRowsASecondHoweverManyMessagesPass() {
    DebugViewer viewer = viewer(null, null, null, null);
    for (int i = 0; i < 10_000; i++) {
      observe("web", track("u" + i, "Clicked"));
    }
    assertThat(drain(viewer)).hasSize(DebugViewer.ROWS_PER_SECOND);
    assertThat(viewer.matched()).isEqualTo(10_000);
    now.addAndGet(1000);
    for (int i = 0; i < 10_000; i++) {
      observe("web", track("u" + i, "Clicked"));
    }
    assertThat(drain(viewer)).hasSize(DebugViewer.ROWS_PER_SECOND);
  }

  @Test
  void underASteadyStreamTheRowsAreSpreadEvenlyAcrossEachSecond() {
    RowBudget budget = new RowBudget(50);
    long t = 0;
    while (budget.take(t)) {
      // the first second's worth goes at once: a small burst of test messages is shown whole
    }
    List<Long> admitted = new ArrayList<>();
    for (t = 1; t <= 1000; t++) {
      for (int i = 0; i < 10; i++) { // 10,000 messages a second
        if (budget.take(t)) {
          admitted.add(t);
        }
      }
    }
    assertThat(admitted).hasSize(50);
    for (int i = 1; i < admitted.size(); i++) {
      assertThat(admitted.get(i) - admitted.get(i - 1)).isEqualTo(20);
    }
  }

  @Test
  void aViewerThatDoesNotReadKeepsABoundedQueue() {
    DebugViewer viewer = viewer(null, null, null, null);
    for (int s = 0; s < 10; s++) {
      now.addAndGet(1000);
      for (int i = 0; i < 100; i++) {
        observe("web", track("u", "Clicked"));
      }
    }
    assertThat(drain(viewer)).hasSize(DebugViewer.QUEUE_BOUND);
  }

  @Test
  void filtersBySourceTypeUserAndEventName() {
    DebugViewer bySource = viewer("app", null, null, null);
    DebugViewer byType = viewer(null, "identify", null, null);
    DebugViewer byUser = viewer(null, null, "alice", null);
    DebugViewer byEvent = viewer(null, null, null, "order");
    observe("web", track("alice@x", "Order Completed"));
    observe("app", track("bob", "Signed Up"));
    observe("web", message("identify", "carol", null));
    assertThat(drain(bySource)).singleElement().asString().contains("\"userId\":\"bob\"");
    assertThat(drain(byType)).singleElement().asString().contains("\"userId\":\"carol\"");
    assertThat(drain(byUser)).singleElement().asString().contains("Order Completed");
    assertThat(drain(byEvent)).singleElement().asString().contains("alice@x");
  }

  @Test
  void theEventFilterAlsoMatchesTheMixpanelEventAMessageBecame() {
    DebugViewer viewer = viewer(null, null, null, "loaded a");
    ObjectNode event = JsonNodeFactory.instance.objectNode().put("event", "Loaded a Page");
    debugger.observed("web", "main", message("page", "u", null), "translated",
        List.of(new MixpanelRecord(Endpoint.IMPORT, event)), List.of());
    assertThat(drain(viewer)).singleElement().asString().contains("\"endpoint\":\"/import\"")
        .contains("Loaded a Page");
  }

  @Test
  void aNewViewerFirstSeesTheRecentMessagesItsFilterMatches() {
    DebugViewer first = viewer(null, null, null, null);
    observe("web", track("u1", "Signed Up"));
    observe("web", track("u2", "Order Completed"));
    drain(first);
    DebugViewer late = viewer(null, null, null, "signed");
    assertThat(drain(late)).singleElement().asString().contains("\"userId\":\"u1\"");
  }

  @Test
  void aWriteKeyInsideAMessageIsNeverShown() {
    DebugViewer viewer = viewer(null, null, null, null);
    SegmentMessage m = track("u", "E");
    m.json().put("writeKey", "secret-write-key");
    observe("web", m);
    assertThat(drain(viewer)).singleElement().asString().doesNotContain("secret-write-key")
        .contains("\"source\":\"web\"");
    assertThat(m.json().has("writeKey")).as("the message itself is left unchanged").isTrue();
  }

  private DebugViewer viewer(String source, String type, String user, String event) {
    DebugViewer v = new DebugViewer(DebugFilter.of(source, type, user, event));
    debugger.connect(v);
    return v;
  }

  private void observe(String source, SegmentMessage m) {
    debugger.observed(source, "main", m, "translated", List.of(), List.of());
  }

  private static List<String> drain(DebugViewer v) {
    List<String> rows = new ArrayList<>();
    for (String r = v.poll(); r != null; r = v.poll()) {
      rows.add(r);
    }
    return rows;
  }

  private static SegmentMessage track(String userId, String event) {
    return message("track", userId, event);
  }

  private static SegmentMessage message(String type, String userId, String event) {
    ObjectNode json = JsonNodeFactory.instance.objectNode().put("type", type).put("userId", userId)
        .put("messageId", "m-" + userId).put("timestamp", "2026-11-23T10:00:00.000Z");
    if (event != null) {
      json.put("event", event);
    }
    return SegmentMessage.fromNormalized(json);
  }
}

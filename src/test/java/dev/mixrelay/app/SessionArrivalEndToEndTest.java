package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 over HTTP: traffic whose users arrive hours apart (offline phones, a backfill sorted by
 * user) posted to a started relay (embedded engine) gives the mock Mixpanel the same sessions as
 * the same calls posted in time order, at the default {@code allowedLateness}.
 */
class SessionArrivalEndToEndTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("offline phones, whose whole stream comes in one block after everyone else's, get"
      + " the sessions in-order traffic gets")
  void offlinePhonesGetTheirSessions() throws Exception {
    List<ObjectNode> inOrder = ClusterStream.messages(60, 17);
    List<ObjectNode> arrived = new ArrayList<>();
    inOrder.stream().filter(m -> person(m) % 3 != 0).forEach(arrived::add);
    inOrder.stream().filter(m -> person(m) % 3 == 0).forEach(arrived::add);
    assertSameSessions(inOrder, arrived);
  }

  @Test
  @DisplayName("a backfill sorted by user gets the sessions in-order traffic gets")
  void aBackfillSortedByUserGetsItsSessions() throws Exception {
    List<ObjectNode> inOrder = ClusterStream.messages(60, 19);
    List<ObjectNode> arrived = new ArrayList<>(inOrder);
    arrived.sort(Comparator.comparingInt(SessionArrivalEndToEndTest::person)); // stable
    assertSameSessions(inOrder, arrived);
  }

  private void assertSameSessions(List<ObjectNode> inOrder, List<ObjectNode> arrived)
      throws Exception {
    ClusterRuns.Outcome reference = ClusterRuns.singleNode(dir.resolve("in-order"), inOrder);
    ClusterRuns.Outcome got = ClusterRuns.singleNode(dir.resolve("arrived"), arrived);
    assertThat(reference.sessions()).hasSizeGreaterThan(80);
    assertThat(got.events()).isEqualTo(reference.events());
    assertThat(got.sessions()).as(() -> ClusterRuns.difference(reference, got))
        .isEqualTo(reference.sessions());
  }

  /** The user a ClusterStream message belongs to (its messageId is cs-user-n). */
  static int person(ObjectNode m) {
    return Integer.parseInt(m.get("messageId").asText().split("-")[1]);
  }
}

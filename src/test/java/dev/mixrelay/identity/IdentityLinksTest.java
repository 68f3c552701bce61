package dev.mixrelay.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.identity.IdentityLinks.Link;
import dev.mixrelay.identity.IdentityLinks.Relation;
import dev.mixrelay.segment.SegmentMessage;
import org.junit.jupiter.api.Test;

class IdentityLinksTest {
  private static SegmentMessage message(String type, String userId, String anonymousId,
      String previousId) {
    ObjectNode json = JsonNodeFactory.instance.objectNode().put("type", type).put("messageId", "m")
        .put("timestamp", "2026-01-01T00:00:00Z");
    if (userId != null) {
      json.put("userId", userId);
    }
    if (anonymousId != null) {
      json.put("anonymousId", anonymousId);
    }
    if (previousId != null) {
      json.put("previousId", previousId);
    }
    return SegmentMessage.fromNormalized(json);
  }

  @Test
  void aMessageWithBothIdsLinksThemBothWays() {
    IdentityLinks links = IdentityLinks.inMemory(100, 10);
    links.observe("main", message("identify", "u1", "a1", null), 1000);
    assertThat(links.linksOf("main", "u1"))
        .containsExactly(new Link("a1", Relation.ANONYMOUS_ID, 1000));
    assertThat(links.linksOf("main", "a1")).containsExactly(new Link("u1", Relation.USER_ID, 1000));
  }

  @Test
  void anAliasLinksThePreviousIdToTheUser() {
    IdentityLinks links = IdentityLinks.inMemory(100, 10);
    links.observe("main", message("alias", "u1", null, "old-1"), 5);
    assertThat(links.linksOf("main", "u1"))
        .containsExactly(new Link("old-1", Relation.PREVIOUS_ID, 5));
    assertThat(links.linksOf("main", "old-1"))
        .containsExactly(new Link("u1", Relation.ALIASED_TO, 5));
  }

  @Test
  void aMessageWithOneIdOrEqualIdsLinksNothing() {
    IdentityLinks links = IdentityLinks.inMemory(100, 10);
    links.observe("main", message("track", "u1", null, null), 1);
    links.observe("main", message("track", null, "a1", null), 1);
    links.observe("main", message("track", "u2", "u2", null), 1);
    links.observe("main", message("track", "u3", null, "p3"), 1); // previousId counts on alias only
    assertThat(links.linksOf("main", "u1")).isEmpty();
    assertThat(links.linksOf("main", "a1")).isEmpty();
    assertThat(links.linksOf("main", "u2")).isEmpty();
    assertThat(links.linksOf("main", "p3")).isEmpty();
    assertThat(links.linksOf("main", null)).isEmpty();
    assertThat(links.size()).isZero();
  }

  @Test
  void aLinkSeenAgainKeepsItsFirstTime() {
    IdentityLinks links = IdentityLinks.inMemory(100, 10);
    links.observe("main", message("identify", "u1", "a1", null), 1000);
    links.observe("main", message("track", "u1", "a1", null), 2000);
    links.observe("main", message("track", "u1", "a2", null), 3000);
    assertThat(links.linksOf("main", "u1")).containsExactly(
        new Link("a1", Relation.ANONYMOUS_ID, 1000), new Link("a2", Relation.ANONYMOUS_ID, 3000));
  }

  @Test
  void anIdKeepsOnlyItsNewestLinks() {
    IdentityLinks links = IdentityLinks.inMemory(100, 2);
    for (int i = 1; i <= 4; i++) {
      links.observe("main", message("identify", "u1", "a" + i, null), i);
    }
    assertThat(links.linksOf("main", "u1")).extracting(Link::id).containsExactly("a3", "a4");
  }

  @Test
  void keepsDestinationsApart() {
    IdentityLinks links = IdentityLinks.inMemory(100, 10);
    links.observe("eu", message("identify", "u1", "a1", null), 1);
    assertThat(links.linksOf("us", "u1")).isEmpty();
  }

  @Test
  void forgetsIdsBeyondItsBound() {
    InMemoryIdentityLinks links = (InMemoryIdentityLinks) IdentityLinks.inMemory(10, 10);
    for (int i = 0; i < 100; i++) {
      links.observe("main", message("identify", "u" + i, "a" + i, null), i);
    }
    links.cleanUp();
    assertThat(links.size()).isLessThanOrEqualTo(10);
  }

  @Test
  void rejectsBoundsBelowOne() {
    assertThatThrownBy(() -> IdentityLinks.inMemory(0, 1))
        .hasMessage("maxIds must be at least 1, was 0");
    assertThatThrownBy(() -> IdentityLinks.inMemory(1, 0))
        .hasMessage("maxLinksPerId must be at least 1, was 0");
  }
}

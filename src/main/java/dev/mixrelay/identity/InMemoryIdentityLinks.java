package dev.mixrelay.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mixrelay.identity.IdentityLinks.Link;
import dev.mixrelay.identity.IdentityLinks.Relation;
import dev.mixrelay.segment.MessageType;
import dev.mixrelay.segment.SegmentMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link IdentityLinks} in a bounded Caffeine cache of id → immutable link list. A link already
 * known costs one lookup; a new one replaces the list (copy-on-write), so a list handed out never
 * changes under its reader.
 */
final class InMemoryIdentityLinks implements IdentityLinks {
  private final Cache<Key, List<Link>> cache;
  private final int maxLinksPerId;

  private record Key(String destination, String id) {}

  InMemoryIdentityLinks(long maxIds, int maxLinksPerId) {
    this.cache = Caffeine.newBuilder().maximumSize(maxIds).build();
    this.maxLinksPerId = maxLinksPerId;
  }

  @Override
  public void observe(String destination, SegmentMessage message, long nowMillis) {
    String userId = message.userId();
    if (userId == null) {
      return;
    }
    String anonymousId = message.anonymousId();
    if (anonymousId != null && !anonymousId.equals(userId)) {
      add(destination, userId, anonymousId, Relation.ANONYMOUS_ID, nowMillis);
      add(destination, anonymousId, userId, Relation.USER_ID, nowMillis);
    }
    String previousId = message.type() == MessageType.ALIAS ? message.previousId() : null;
    if (previousId != null && !previousId.equals(userId)) {
      add(destination, userId, previousId, Relation.PREVIOUS_ID, nowMillis);
      add(destination, previousId, userId, Relation.ALIASED_TO, nowMillis);
    }
  }

  private void add(String destination, String id, String other, Relation relation, long now) {
    Key key = new Key(destination, id);
    List<Link> known = cache.getIfPresent(key);
    if (known != null && contains(known, other, relation)) {
      return;
    }
    cache.asMap().compute(key, (k, before) -> {
      if (before != null && contains(before, other, relation)) {
        return before;
      }
      List<Link> next = new ArrayList<>(maxLinksPerId);
      if (before != null) {
        next.addAll(before.subList(Math.max(0, before.size() + 1 - maxLinksPerId), before.size()));
      }
      next.add(new Link(other, relation, now));
      return List.copyOf(next);
    });
  }

  private static boolean contains(List<Link> links, String id, Relation relation) {
    for (Link l : links) {
      if (l.relation() == relation && l.id().equals(id)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public List<Link> linksOf(String destination, String id) {
    List<Link> links = id == null ? null : cache.getIfPresent(new Key(destination, id));
    return links == null ? List.of() : links;
  }

  @Override
  public long size() {
    return cache.estimatedSize();
  }

  /** Runs pending evictions now (tests). */
  void cleanUp() {
    cache.cleanUp();
  }
}

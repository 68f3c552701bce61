package dev.mixrelay.identity;

import dev.mixrelay.segment.SegmentMessage;
import java.util.List;

/**
 * The links between one user's ids that the relay has seen, per destination: anonymousId and
 * userId carried by the same message, and an alias's previousId and userId. Looked up by either
 * side. Read by the admin API only: translation does not depend on it.
 *
 * <p>In-process and bounded ({@link #inMemory}): the least used ids are forgotten first, and an id
 * keeps only its newest links. Implementations are thread-safe.
 */
public interface IdentityLinks {

  /** What the linked id is to the id looked up. */
  enum Relation {
    /** An anonymousId seen together with this userId. */
    ANONYMOUS_ID,
    /** The userId seen together with this anonymousId. */
    USER_ID,
    /** An alias's previousId that was aliased to this userId. */
    PREVIOUS_ID,
    /** The userId an alias linked this previousId to. */
    ALIASED_TO
  }

  /** One link: the other id, what it is, and when the relay first saw the link (epoch ms). */
  record Link(String id, Relation relation, long firstSeenMillis) {}

  /** Remembers the links {@code message} carries (none for most messages). */
  void observe(String destination, SegmentMessage message, long nowMillis);

  /** The links of {@code id} in {@code destination}, oldest first; empty when none. */
  List<Link> linksOf(String destination, String id);

  /** The number of ids remembered (approximate for bounded stores). */
  long size();

  /**
   * An in-process store of at most {@code maxIds} ids (least used forgotten first), each keeping
   * its newest {@code maxLinksPerId} links.
   */
  static IdentityLinks inMemory(long maxIds, int maxLinksPerId) {
    if (maxIds < 1) {
      throw new IllegalArgumentException("maxIds must be at least 1, was " + maxIds);
    }
    if (maxLinksPerId < 1) {
      throw new IllegalArgumentException("maxLinksPerId must be at least 1, was " + maxLinksPerId);
    }
    return new InMemoryIdentityLinks(maxIds, maxLinksPerId);
  }
}

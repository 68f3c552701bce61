package dev.mixrelay.log;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The newest committed messages, in memory, so a reader that keeps up with intake gets them
 * without a disk read and a second parse. Holds a run of consecutive offsets, bounded by count and
 * bytes; what was read or pushed out is dropped. Thread-safe (the writer adds, the reader takes).
 */
final class RecentMessages {
  private final int maxMessages;
  private final long maxBytes;
  private final ArrayDeque<StoredMessage> messages = new ArrayDeque<>();
  private long bytes;
  /** The offset of the newest message added, or -1 before the first. */
  private long newest = -1;

  RecentMessages(int maxMessages, long maxBytes) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  /** Adds a just-committed message; a gap in offsets starts the run afresh. */
  synchronized void add(StoredMessage m) {
    if (!messages.isEmpty() && messages.peekLast().offset() != m.offset() - 1) {
      clear();
    }
    messages.addLast(m);
    newest = m.offset();
    bytes += m.json().length;
    while (messages.size() > maxMessages || bytes > maxBytes) {
      bytes -= messages.pollFirst().json().length;
    }
  }

  /**
   * Up to {@code max} messages after {@code afterOffset} when memory holds them all from there
   * (an empty list when the reader is level with the newest added: a commit not added yet is
   * added as soon as it is done, so the reader finds it on its next read); null when the disk must
   * answer.
   */
  synchronized List<StoredMessage> after(long afterOffset, int max) {
    dropUpTo(afterOffset);
    if (afterOffset == newest) {
      return List.of();
    }
    if (messages.isEmpty() || messages.peekFirst().offset() != afterOffset + 1) {
      return null;
    }
    List<StoredMessage> out = new ArrayList<>(Math.min(max, messages.size()));
    for (StoredMessage m : messages) {
      if (out.size() == max) {
        break;
      }
      out.add(m);
    }
    return out;
  }

  /** Forgets what the disk no longer holds either, so both answer a read alike. */
  synchronized void dropUpTo(long offset) {
    while (!messages.isEmpty() && messages.peekFirst().offset() <= offset) {
      bytes -= messages.pollFirst().json().length;
    }
  }

  synchronized void clear() {
    messages.clear();
    bytes = 0;
  }
}

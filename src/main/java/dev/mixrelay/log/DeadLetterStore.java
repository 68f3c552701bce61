package dev.mixrelay.log;

import io.vertx.core.Future;
import java.util.List;

/** The embedded engine's dead letters: stored durably, listed, removed once replayed. */
public interface DeadLetterStore {

  /** Stores dead letters; completes when durable. */
  Future<Void> addDeadLetters(List<DeadLetterRow> rows);

  /** Dead letters with id greater than {@code afterId}, oldest first, optionally for one destination. */
  Future<List<DeadLetterRow>> listDeadLetters(String destination, long afterId, int max);

  /** Removes the given dead letters (after they were replayed); completes with how many went. */
  Future<Integer> deleteDeadLetters(List<Long> ids);
}

package dev.mixrelay.deliver;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where dead letters go (the wiring adapts it to the intake log's dead-letter table). A record
 * counts as done only once the returned future succeeds; on failure delivery retries the add.
 */
@FunctionalInterface
public interface DeadLetterSink {

  Future<Void> add(List<DeadLetter> letters);
}

package dev.mixrelay.deliver;

import dev.mixrelay.mixpanel.Endpoint;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands refused records to the {@link DeadLetterSink} and marks them done only once the sink has
 * stored them; a failed add is retried, so a refused record is never dropped silently.
 */
final class DeadLetterWriter {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWriter.class);

  private final Vertx vertx;
  private final Context context;
  private final DeadLetterSink sink;
  private final DeliveryListener listener;
  private final Clock clock;
  private final Duration retryDelay;

  DeadLetterWriter(Vertx vertx, Context context, DeadLetterSink sink, DeliveryListener listener,
      Clock clock, Duration retryDelay) {
    this.vertx = vertx;
    this.context = context;
    this.sink = sink;
    this.listener = listener;
    this.clock = clock;
    this.retryDelay = retryDelay;
  }

  /** Stores {@code items} with their reasons (same order), then marks them done. */
  void write(String destination, Endpoint endpoint, List<Item> items, List<String> reasons) {
    if (items.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    List<DeadLetter> letters = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      letters.add(new DeadLetter(destination, endpoint,
          new String(items.get(i).json(), StandardCharsets.UTF_8), reasons.get(i), now));
    }
    store(destination, endpoint, items, letters);
  }

  private void store(String destination, Endpoint endpoint, List<Item> items,
      List<DeadLetter> letters) {
    if (items.stream().allMatch(item -> item.ticket().finished())) {
      return; // delivery closed meanwhile: the records stay in the intake log
    }
    sink.add(letters).onComplete(ar -> context.runOnContext(v -> {
      if (ar.succeeded()) {
        LOG.warn("{} record(s) for destination {} {} refused by Mixpanel and dead-lettered: {}",
            items.size(), destination, endpoint.path(), letters.get(0).reason());
        listener.deadLettered(destination, endpoint, items.size());
        items.forEach(Item::done);
      } else {
        LOG.warn("storing {} dead letter(s) for destination {} failed, retrying in {} ms: {}",
            items.size(), destination, retryDelay.toMillis(), ar.cause().toString());
        vertx.setTimer(Math.max(1, retryDelay.toMillis()),
            id -> store(destination, endpoint, items, letters));
      }
    }));
  }
}

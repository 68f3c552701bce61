package dev.mixrelay.deliver;

import dev.mixrelay.config.DeliveryConfig;
import dev.mixrelay.mixpanel.Endpoint;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The open batch of each endpoint of one destination: a batch is sealed when the next record
 * would pass {@code maxBatchRecords} or {@code maxBatchBytes}, or {@code linger} after it opened.
 * Event loop only.
 */
final class Batcher {
  private final DeliveryConfig config;
  private final DestinationTimers timers;
  private final Consumer<Batch> sealed;
  private final Map<Endpoint, Batch> open = new EnumMap<>(Endpoint.class);
  private final Map<Endpoint, Long> lingerTimers = new EnumMap<>(Endpoint.class);
  private boolean flushing;

  Batcher(DeliveryConfig config, DestinationTimers timers, Consumer<Batch> sealed) {
    this.config = config;
    this.timers = timers;
    this.sealed = sealed;
  }

  /** Adds the records of one send call; with no linger (or when flushing) seals at the end. */
  void add(List<Item> items) {
    for (Item item : items) {
      Endpoint ep = item.endpoint();
      Batch batch = open.get(ep);
      if (batch != null && !batch.fits(item, config.maxBatchRecords(), config.maxBatchBytes())) {
        seal(ep);
        batch = null;
      }
      if (batch == null) {
        batch = new Batch(ep);
        open.put(ep, batch);
        if (!flushing && !config.linger().isZero()) {
          lingerTimers.put(ep, timers.after(config.linger(), () -> seal(ep)));
        }
      }
      batch.add(item);
      if (batch.items.size() >= config.maxBatchRecords()) {
        seal(ep);
      }
    }
    if (flushing || config.linger().isZero()) {
      sealAll();
    }
  }

  /** Seals every open batch now and from now on seals at the end of each add (shutdown). */
  void flush() {
    flushing = true;
    sealAll();
  }

  /** Drops the open batches (their records stay in the intake log). */
  void clear() {
    open.clear();
    lingerTimers.clear();
  }

  private void sealAll() {
    for (Endpoint ep : List.copyOf(open.keySet())) {
      seal(ep);
    }
  }

  private void seal(Endpoint ep) {
    Long timer = lingerTimers.remove(ep);
    if (timer != null) {
      timers.cancel(timer);
    }
    Batch batch = open.remove(ep);
    if (batch != null) {
      sealed.accept(batch);
    }
  }
}

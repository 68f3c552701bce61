package dev.mixrelay.demo;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Delivery} that counts what passes through it on the way to another: sends that carry a
 * message's own records (as opposed to only session events), records by endpoint, and sends still
 * in flight, so the demo can tell when delivery is idle and reconcile its summary.
 */
public final class CountingDelivery implements Delivery {
  private final Delivery delegate;
  private final Set<String> sessionEventNames;
  private final AtomicLong messageSends = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong sends = new AtomicLong();
  private final Map<Endpoint, AtomicLong> records = new EnumMap<>(Endpoint.class);

  public CountingDelivery(Delivery delegate, Set<String> sessionEventNames) {
    this.delegate = delegate;
    this.sessionEventNames = Set.copyOf(sessionEventNames);
    for (Endpoint e : Endpoint.values()) {
      records.put(e, new AtomicLong());
    }
  }

  @Override
  public Future<Void> send(DestinationConfig destination, List<MixpanelRecord> batch) {
    count(batch);
    return delegate.send(destination, batch).onComplete(ar -> inFlight.decrementAndGet());
  }

  @Override
  public Future<Void> send(DestinationConfig destination, List<MixpanelRecord> batch,
      java.util.function.IntConsumer recordDone) {
    count(batch);
    return delegate.send(destination, batch, recordDone)
        .onComplete(ar -> inFlight.decrementAndGet());
  }

  private void count(List<MixpanelRecord> batch) {
    boolean ownRecords = false;
    for (MixpanelRecord r : batch) {
      records.get(r.endpoint()).incrementAndGet();
      ownRecords |= r.endpoint() != Endpoint.IMPORT || !sessionEventNames.contains(r.eventName());
    }
    if (ownRecords) {
      messageSends.incrementAndGet();
    }
    sends.incrementAndGet();
    inFlight.incrementAndGet();
  }

  @Override
  public boolean ready(String destination) {
    return delegate.ready(destination);
  }

  @Override
  public Future<Void> close(Duration deadline) {
    return delegate.close(deadline);
  }

  /** Sends carrying at least one record of a message's own (one per translated message). */
  public long messageSends() {
    return messageSends.get();
  }

  /** Every send so far, including the session tick's. */
  public long sends() {
    return sends.get();
  }

  public long inFlight() {
    return inFlight.get();
  }

  /** Records handed to delivery for this endpoint. */
  public long records(Endpoint endpoint) {
    return records.get(endpoint).get();
  }
}

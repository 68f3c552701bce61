package dev.mixrelay.deliver;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Gets records into Mixpanel. The returned future of {@link #send} completes only when every
 * record is done: delivered, or dead-lettered with Mixpanel's reason. It does not fail for
 * Mixpanel errors (they are retried); it fails only when delivery is closed, in which case the
 * records stay in the intake log for the next start.
 */
public interface Delivery {

  /**
   * The Vert.x implementation: one pooled keep-alive WebClient, state on one event-loop context
   * (taken from the calling thread when it is a Vert.x context). Destinations are set up on their
   * first {@link #send}, from that send's config.
   *
   * @param deadLetters where refused records go; a record is done once the sink has stored it
   * @param listener telemetry, {@link DeliveryListener#NOOP} for none
   * @param clock stamps dead letters and reads an HTTP-date {@code Retry-After}
   */
  static Delivery create(Vertx vertx, DeadLetterSink deadLetters, DeliveryListener listener,
      Clock clock) {
    return new MixpanelDelivery(vertx, deadLetters, listener, clock);
  }

  Future<Void> send(DestinationConfig destination, List<MixpanelRecord> records);

  /**
   * As {@link #send(DestinationConfig, List)}, telling {@code recordDone} the index of each record
   * as it is done (delivered or dead-lettered), on delivery's thread, before the future completes.
   * This default tells them all once the send is done.
   */
  default Future<Void> send(DestinationConfig destination, List<MixpanelRecord> records,
      java.util.function.IntConsumer recordDone) {
    return send(destination, records).onSuccess(v -> {
      for (int i = 0; i < records.size(); i++) {
        recordDone.accept(i);
      }
    });
  }

  /** True while the destination accepts records (not unauthorised). */
  boolean ready(String destination);

  /** How the destination's delivery stands (ok, failing and why, unauthorized). */
  default DestinationState state(String destination) {
    return ready(destination) ? DestinationState.OK
        : new DestinationState("unauthorized", null, "Mixpanel refused the credentials", 0, 0);
  }

  /** Flushes open batches within the deadline, then stops; unfinished sends fail. */
  Future<Void> close(Duration deadline);
}

package dev.mixrelay.deliver;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;

/**
 * Gets records into Mixpanel. The returned future of {@link #send} completes only when every
 * record is done: delivered, or dead-lettered with Mixpanel's reason. It does not fail for
 * Mixpanel errors (they are retried); it fails only when delivery is closed, in which case the
 * records stay in the intake log for the next start.
 */
public interface Delivery {

  Future<Void> send(DestinationConfig destination, List<MixpanelRecord> records);

  /** True while the destination accepts records (not unauthorised). */
  boolean ready(String destination);

  /** Flushes open batches within the deadline, then stops; unfinished sends fail. */
  Future<Void> close(Duration deadline);
}

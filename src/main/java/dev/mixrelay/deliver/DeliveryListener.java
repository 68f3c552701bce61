package dev.mixrelay.deliver;

import dev.mixrelay.mixpanel.Endpoint;
import java.time.Duration;

/**
 * Telemetry hooks of delivery, called on delivery's event loop; implementations must be quick
 * and must not block. Labels are bounded: destination names, endpoints, status codes, causes.
 */
public interface DeliveryListener {

  /** Does nothing. */
  DeliveryListener NOOP = new DeliveryListener() {};

  /**
   * One HTTP request finished.
   *
   * @param status the HTTP status, or 0 when no response came (timeout, connection error)
   */
  default void requestCompleted(String destination, Endpoint endpoint, int status, int records,
      Duration latency) {}

  /**
   * A batch will be sent again after {@code delay}.
   *
   * @param cause {@code 429}, {@code 5xx}, {@code timeout}, {@code connection}, {@code status} or
   *     {@code unauthorized}
   */
  default void retryScheduled(String destination, Endpoint endpoint, String cause, Duration delay) {}

  /** A batch answered 413 was split in two. */
  default void batchSplit(String destination, Endpoint endpoint) {}

  /** Records were stored as dead letters. */
  default void deadLettered(String destination, Endpoint endpoint, int records) {}

  /** The destination's circuit breaker changed state ({@code CLOSED}, {@code OPEN}, ...). */
  default void breakerStateChanged(String destination, String state) {}

  /** The destination's adaptive concurrency limit changed. */
  default void concurrencyLimitChanged(String destination, int limit) {}

  /** The destination became ready or not ready (its credentials were refused). */
  default void readinessChanged(String destination, boolean ready) {}
}

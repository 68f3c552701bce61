package dev.mixrelay.deliver;

import dev.mixrelay.config.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one destination is failing, told to the operator: one WARN when requests start to fail
 * (cause, status, records waiting), a summary at most once a minute while they keep failing, and
 * one WARN when delivery recovers. A 429 alone is rate limiting, not failure (the adaptive limit
 * handles it). Called on delivery's context; {@link #state()} may be read from any thread.
 */
final class FailureLog {
  private static final Logger LOG = LoggerFactory.getLogger(MixpanelDelivery.class);
  static final Duration SUMMARY_EVERY = Duration.ofMinutes(1);

  private final String destination;
  private final Clock clock;
  private Instant since;
  private Instant lastSummary;
  private long failed;
  private long failedSinceSummary;
  private String lastCause;
  private volatile DestinationState state = DestinationState.OK;

  FailureLog(String destination, Clock clock) {
    this.destination = destination;
    this.clock = clock;
  }

  DestinationState state() {
    return state;
  }

  /** A request failed and will be retried; {@code cause} in words (never a secret). */
  void failed(String cause, boolean rateLimited, int waitingRecords) {
    Instant now = clock.instant();
    lastCause = cause;
    if (since == null) {
      if (rateLimited) {
        return;
      }
      since = now;
      lastSummary = now;
      failed = 1;
      failedSinceSummary = 0;
      LOG.warn("destination {} is failing: {}; {} record(s) waiting, retried with backoff (accepted"
          + " messages stay in the log until delivered)", destination, cause, waitingRecords);
    } else {
      failed++;
      failedSinceSummary++;
      if (!now.isBefore(lastSummary.plus(SUMMARY_EVERY))) {
        LOG.warn("destination {} still failing after {}: {} request(s) failed since the last report"
            + " (last: {}); {} record(s) waiting", destination, ago(now), failedSinceSummary, cause,
            waitingRecords);
        lastSummary = now;
        failedSinceSummary = 0;
      }
    }
    state = new DestinationState("failing", since, cause, failed, waitingRecords);
  }

  /** The credentials were refused (logged as ERROR by the sender). */
  void unauthorized(String reason, int waitingRecords) {
    state = new DestinationState("unauthorized", since == null ? clock.instant() : since,
        "Mixpanel refused the credentials: " + reason, failed, waitingRecords);
  }

  /** A request succeeded: delivery recovered if it was failing. */
  void succeeded() {
    if (since != null) {
      LOG.warn("destination {} recovered after {} of failures ({} request(s) failed, last: {})",
          destination, ago(clock.instant()), failed, lastCause);
      since = null;
      failed = 0;
    }
    if (!state.ok()) {
      state = DestinationState.OK;
    }
  }

  private String ago(Instant now) {
    Duration d = Duration.between(since, now);
    return Durations.format(Duration.ofSeconds(Math.max(1, d.toSeconds())));
  }
}

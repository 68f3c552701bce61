package dev.mixrelay.ingest;

import dev.mixrelay.config.SourceConfig;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-source request and byte rate limits (token buckets refilled by the injected clock). A
 * source without limits is never refused.
 */
final class SourceLimits {
  private final Clock clock;
  private final ConcurrentHashMap<String, Bucket> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Bucket> bytes = new ConcurrentHashMap<>();

  SourceLimits(Clock clock) {
    this.clock = clock;
  }

  Optional<IntakeError> check(SourceConfig source, long requestBytes) {
    long now = clock.millis();
    if (source.maxRequestsPerSecond() != null) {
      Bucket b = requests.computeIfAbsent(source.name(), k -> new Bucket(source.maxRequestsPerSecond()));
      if (!b.take(1, now)) {
        return Optional.of(new IntakeError(429, "rate_limited",
            "this source sends more than " + source.maxRequestsPerSecond() + " requests per second"));
      }
    }
    if (source.maxBytesPerSecond() != null) {
      Bucket b = bytes.computeIfAbsent(source.name(), k -> new Bucket(source.maxBytesPerSecond()));
      if (!b.take(requestBytes, now)) {
        return Optional.of(new IntakeError(429, "rate_limited",
            "this source sends more than " + source.maxBytesPerSecond() + " bytes per second"));
      }
    }
    return Optional.empty();
  }

  /** A token bucket holding one second's worth of tokens. */
  private static final class Bucket {
    private final double ratePerSecond;
    private double tokens;
    private long last = -1;

    Bucket(double ratePerSecond) {
      this.ratePerSecond = ratePerSecond;
      this.tokens = ratePerSecond;
    }

    synchronized boolean take(double n, long now) {
      if (last >= 0) {
        tokens = Math.min(ratePerSecond, tokens + (now - last) * ratePerSecond / 1000.0);
      }
      last = now;
      if (tokens >= Math.min(n, ratePerSecond)) {
        tokens -= n;
        return true;
      }
      return false;
    }
  }
}

package dev.mixrelay.config;

import java.time.Duration;

/** How records are batched and sent to Mixpanel. */
public record DeliveryConfig(
    Integer maxBatchRecords,
    Integer maxBatchBytes,
    Duration linger,
    Integer maxConcurrency,
    Duration requestTimeout,
    Duration initialBackoff,
    Duration maxBackoff) {

  public DeliveryConfig {
    maxBatchRecords = maxBatchRecords == null ? 2000 : maxBatchRecords;
    maxBatchBytes = maxBatchBytes == null ? 2_000_000 : maxBatchBytes;
    linger = linger == null ? Duration.ofMillis(200) : linger;
    maxConcurrency = maxConcurrency == null ? 16 : maxConcurrency;
    requestTimeout = requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
    initialBackoff = initialBackoff == null ? Duration.ofSeconds(2) : initialBackoff;
    maxBackoff = maxBackoff == null ? Duration.ofSeconds(60) : maxBackoff;
  }

  public static DeliveryConfig defaults() {
    return new DeliveryConfig(null, null, null, null, null, null, null);
  }

  void check(String path, Checks c) {
    c.range(maxBatchRecords, 1, 2000, path + ".maxBatchRecords");
    c.range(maxBatchBytes, 1024, 10_000_000, path + ".maxBatchBytes");
    c.between(linger, Duration.ZERO, Duration.ofSeconds(60), path + ".linger");
    c.range(maxConcurrency, 1, 256, path + ".maxConcurrency");
    c.between(requestTimeout, Duration.ofMillis(100), Duration.ofMinutes(10), path + ".requestTimeout");
    c.between(initialBackoff, Duration.ofMillis(1), Duration.ofMinutes(10), path + ".initialBackoff");
    c.between(maxBackoff, initialBackoff, Duration.ofHours(1), path + ".maxBackoff");
  }
}

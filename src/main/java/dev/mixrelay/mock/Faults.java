package dev.mixrelay.mock;

import java.util.List;
import java.util.Locale;

/**
 * The faults the mock injects into its ingestion endpoints ({@code /import}, {@code /track}, {@code
 * /engage}, {@code /groups}); the admin routes are never faulted. Immutable.
 *
 * <p>Each request first takes the next entry of {@code script} if any is left ({@code "429"},
 * {@code "503"} or any status, {@code "reset"} to drop the connection before reading the body,
 * {@code "accept-then-reset"} to store the records and then drop the connection). Otherwise random
 * draws (seeded, so a run is repeatable) decide, in this order: connection reset with {@code
 * resetRate}, reset after accepting with {@code resetAfterAcceptRate}, 429 with {@code
 * rateLimitRate} (with {@code Retry-After: retryAfterSeconds} when that is set), then {@code
 * errorStatus} with {@code errorRate}. Every answered request waits {@code latencyMs} first.
 *
 * @param errorRate share of requests answered {@code errorStatus}, 0..1
 * @param errorStatus the status of injected errors (default 503)
 * @param rateLimitRate share of requests answered 429, 0..1
 * @param retryAfterSeconds the {@code Retry-After} of injected 429s, or null for none (as Mixpanel)
 * @param latencyMs delay before every ingestion response, in milliseconds
 * @param resetRate share of connections reset before the request is processed, 0..1
 * @param resetAfterAcceptRate share of requests whose records are stored and whose connection is
 *     then reset, so the client cannot know they arrived (tests retry de-duplication), 0..1
 * @param seed the seed of the random draws
 * @param script outcomes for the next requests, in order, before any random draw
 */
public record Faults(
    double errorRate,
    int errorStatus,
    double rateLimitRate,
    Integer retryAfterSeconds,
    int latencyMs,
    double resetRate,
    double resetAfterAcceptRate,
    long seed,
    List<String> script) {

  /** No faults at all. */
  public static final Faults NONE = new Faults(0, 503, 0, null, 0, 0, 0, 1L, List.of());

  public Faults {
    errorStatus = errorStatus == 0 ? 503 : errorStatus;
    script = script == null ? List.of() : List.copyOf(script);
    rate(errorRate, "errorRate");
    rate(rateLimitRate, "rateLimitRate");
    rate(resetRate, "resetRate");
    rate(resetAfterAcceptRate, "resetAfterAcceptRate");
    if (errorStatus < 400 || errorStatus > 599) {
      throw new IllegalArgumentException(
          "errorStatus must be between 400 and 599, was " + errorStatus);
    }
    if (retryAfterSeconds != null && retryAfterSeconds < 0) {
      throw new IllegalArgumentException(
          "retryAfterSeconds must be 0 or more, was " + retryAfterSeconds);
    }
    if (latencyMs < 0 || latencyMs > 600_000) {
      throw new IllegalArgumentException(
          "latencyMs must be between 0 and 600000, was " + latencyMs);
    }
    for (String step : script) {
      checkStep(step);
    }
  }

  /** True when nothing is injected. */
  public boolean none() {
    return errorRate == 0
        && rateLimitRate == 0
        && latencyMs == 0
        && resetRate == 0
        && resetAfterAcceptRate == 0
        && script.isEmpty();
  }

  public Faults withErrorRate(double rate, int status) {
    return new Faults(
        rate,
        status,
        rateLimitRate,
        retryAfterSeconds,
        latencyMs,
        resetRate,
        resetAfterAcceptRate,
        seed,
        script);
  }

  public Faults withRateLimitRate(double rate, Integer retryAfter) {
    return new Faults(
        errorRate,
        errorStatus,
        rate,
        retryAfter,
        latencyMs,
        resetRate,
        resetAfterAcceptRate,
        seed,
        script);
  }

  public Faults withLatencyMs(int ms) {
    return new Faults(
        errorRate,
        errorStatus,
        rateLimitRate,
        retryAfterSeconds,
        ms,
        resetRate,
        resetAfterAcceptRate,
        seed,
        script);
  }

  public Faults withResetRate(double rate) {
    return new Faults(
        errorRate,
        errorStatus,
        rateLimitRate,
        retryAfterSeconds,
        latencyMs,
        rate,
        resetAfterAcceptRate,
        seed,
        script);
  }

  public Faults withResetAfterAcceptRate(double rate) {
    return new Faults(
        errorRate,
        errorStatus,
        rateLimitRate,
        retryAfterSeconds,
        latencyMs,
        resetRate,
        rate,
        seed,
        script);
  }

  public Faults withSeed(long newSeed) {
    return new Faults(
        errorRate,
        errorStatus,
        rateLimitRate,
        retryAfterSeconds,
        latencyMs,
        resetRate,
        resetAfterAcceptRate,
        newSeed,
        script);
  }

  /** These faults with the next requests answered by {@code steps} (e.g. "429", "503", "reset"). */
  public Faults withScript(String... steps) {
    return new Faults(
        errorRate,
        errorStatus,
        rateLimitRate,
        retryAfterSeconds,
        latencyMs,
        resetRate,
        resetAfterAcceptRate,
        seed,
        List.of(steps));
  }

  static final String RESET = "reset";
  static final String ACCEPT_THEN_RESET = "accept-then-reset";

  private static void checkStep(String step) {
    String s = step == null ? "" : step.toLowerCase(Locale.ROOT);
    if (s.equals(RESET) || s.equals(ACCEPT_THEN_RESET) || s.equals("ok")) {
      return;
    }
    try {
      int status = Integer.parseInt(s);
      if (status >= 200 && status <= 599) {
        return;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "script steps must be a status (200-599), ok, reset or accept-then-reset, was " + step);
  }

  private static void rate(double value, String name) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1, was " + value);
    }
  }
}

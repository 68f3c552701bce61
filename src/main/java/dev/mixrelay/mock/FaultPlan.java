package dev.mixrelay.mock;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;

/** Turns the current {@link Faults} into one decision per ingestion request; thread-safe. */
final class FaultPlan {

  /** What to do with one ingestion request. */
  sealed interface Decision {}

  /** Process the request normally. */
  record Pass() implements Decision {}

  /** Answer with this status without processing (a 429 may carry Retry-After). */
  record Fail(int status, Integer retryAfterSeconds) implements Decision {}

  /** Reset the connection; when {@code afterAccept}, first store the records. */
  record Reset(boolean afterAccept) implements Decision {}

  private static final Pass PASS = new Pass();

  private Faults faults = Faults.NONE;
  private SplittableRandom random = new SplittableRandom(Faults.NONE.seed());
  private final Deque<String> script = new ArrayDeque<>();

  synchronized void set(Faults next) {
    faults = next;
    random = new SplittableRandom(next.seed());
    script.clear();
    script.addAll(next.script());
  }

  /** The faults in force, with the script steps still to come. */
  synchronized Faults current() {
    return new Faults(
        faults.errorRate(),
        faults.errorStatus(),
        faults.rateLimitRate(),
        faults.retryAfterSeconds(),
        faults.latencyMs(),
        faults.resetRate(),
        faults.resetAfterAcceptRate(),
        faults.seed(),
        java.util.List.copyOf(script));
  }

  synchronized int latencyMs() {
    return faults.latencyMs();
  }

  synchronized Decision next() {
    if (!script.isEmpty()) {
      return step(script.removeFirst());
    }
    Faults f = faults;
    if (draw(f.resetRate())) {
      return new Reset(false);
    }
    if (draw(f.resetAfterAcceptRate())) {
      return new Reset(true);
    }
    if (draw(f.rateLimitRate())) {
      return new Fail(429, f.retryAfterSeconds());
    }
    if (draw(f.errorRate())) {
      return new Fail(f.errorStatus(), null);
    }
    return PASS;
  }

  private boolean draw(double rate) {
    return rate > 0 && random.nextDouble() < rate;
  }

  private Decision step(String s) {
    if (s.equalsIgnoreCase(Faults.RESET)) {
      return new Reset(false);
    }
    if (s.equalsIgnoreCase(Faults.ACCEPT_THEN_RESET)) {
      return new Reset(true);
    }
    if (s.equalsIgnoreCase("ok")) {
      return PASS;
    }
    int status = Integer.parseInt(s);
    if (status < 300) {
      return PASS;
    }
    return new Fail(status, status == 429 ? faults.retryAfterSeconds() : null);
  }
}

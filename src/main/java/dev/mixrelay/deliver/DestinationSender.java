package dev.mixrelay.deliver;

import dev.mixrelay.config.DeliveryConfig;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.Durations;
import dev.mixrelay.deliver.DeliveryOutcome.Delivered;
import dev.mixrelay.deliver.DeliveryOutcome.PartiallyRejected;
import dev.mixrelay.deliver.DeliveryOutcome.Rejected;
import dev.mixrelay.deliver.DeliveryOutcome.Retryable;
import dev.mixrelay.deliver.DeliveryOutcome.TooLarge;
import dev.mixrelay.deliver.DeliveryOutcome.Unauthorized;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything delivery does for one destination after batching: the queue of sealed batches, the
 * adaptive concurrency limit, the circuit breaker, acting on each response's outcome (retries,
 * splits, dead letters) and readiness. Runs on delivery's event loop only.
 */
final class DestinationSender {
  private static final Logger LOG = LoggerFactory.getLogger(DestinationSender.class);

  private final String name;
  private final DeliveryConfig config;
  private final MixpanelClient client;
  private final DeadLetterWriter deadLetters;
  private final DeliveryListener listener;
  private final Clock clock;
  private final Backoff backoff;
  private final AimdLimit limit;
  private final CircuitBreaker breaker;
  private final DestinationTimers timers;
  private final Batcher batcher;
  private final ArrayDeque<Batch> queue = new ArrayDeque<>();
  private int inFlight;
  private boolean breakerPollPending;
  private boolean probeDue;
  private boolean probeScheduled;
  private volatile boolean ready = true;
  private final FailureLog failures;

  DestinationSender(DestinationConfig destination, Vertx vertx, MixpanelClient client,
      DeadLetterWriter deadLetters, DeliveryListener listener, Clock clock) {
    this.name = destination.name();
    this.config = destination.delivery();
    this.client = client;
    this.deadLetters = deadLetters;
    this.listener = listener;
    this.clock = clock;
    this.backoff = new Backoff(config.initialBackoff(), config.maxBackoff());
    this.limit = new AimdLimit(Math.min(4, config.maxConcurrency()), config.maxConcurrency());
    this.breaker = Breakers.create(name, config, listener);
    this.timers = new DestinationTimers(vertx);
    this.batcher = new Batcher(config, timers, this::enqueue);
    this.failures = new FailureLog(name, clock);
  }

  /** Ok, failing (and why, since when) or unauthorized; any thread. */
  DestinationState state() {
    return failures.state();
  }

  /** Records queued here, in batches waiting to be sent or retried (not those in flight). */
  private int waitingRecords() {
    int n = 0;
    for (Batch b : queue) {
      n += b.items.size();
    }
    return n;
  }

  boolean ready() {
    return ready;
  }

  /** Adds records of one send call to the open batches. */
  void add(List<Item> items) {
    batcher.add(items);
  }

  /** Seals every open batch now and stops lingering (shutdown). */
  void flush() {
    batcher.flush();
  }

  /** Cancels every timer; responses still arriving are ignored. */
  void stop() {
    timers.cancelAll();
    queue.clear();
    batcher.clear();
  }

  private void enqueue(Batch batch) {
    queue.addLast(batch);
    pump();
  }

  /** Starts requests while the queue, the limit, the breaker and readiness allow. */
  private void pump() {
    while (!queue.isEmpty() && !timers.stopped()) {
      if (!ready && (!probeDue || inFlight > 0)) {
        return;
      }
      if (ready && inFlight >= limit.current()) {
        return;
      }
      if (!breaker.tryAcquirePermission()) {
        pollBreakerLater();
        return;
      }
      probeDue = false;
      start(queue.pollFirst());
    }
  }

  private void pollBreakerLater() {
    if (!breakerPollPending) {
      breakerPollPending = true;
      long ms = Math.max(10, Math.min(1000, config.initialBackoff().toMillis() / 2));
      timers.after(Duration.ofMillis(ms), () -> {
        breakerPollPending = false;
        pump();
      });
    }
  }

  private void start(Batch batch) {
    inFlight++;
    int inFlightAtStart = inFlight;
    long epoch = limit.epoch();
    long started = System.nanoTime();
    client.post(batch).onComplete(ar -> {
      if (timers.stopped()) {
        return;
      }
      inFlight--;
      long nanos = System.nanoTime() - started;
      handle(batch, ar, nanos, inFlightAtStart, epoch);
      if (!ready) {
        scheduleProbe();
      }
      pump();
    });
  }

  private void handle(Batch batch, AsyncResult<HttpResponse<Buffer>> ar, long nanos,
      int inFlightAtStart, long epoch) {
    int status = ar.succeeded() ? ar.result().statusCode() : 0;
    DeliveryOutcome outcome = ar.succeeded()
        ? ResponseClassifier.classify(status, ar.result().bodyAsString(), ar.result()::getHeader,
            clock.instant())
        : new Retryable(null, MixpanelClient.isTimeout(ar.cause()) ? "timeout" : "connection");
    listener.requestCompleted(name, batch.endpoint, status, batch.items.size(),
        Duration.ofNanos(nanos));
    if (outcome instanceof Unauthorized u) {
      breaker.releasePermission();
      unauthorized(batch, u.reason());
      return;
    }
    if (outcome instanceof Retryable r) {
      breaker.onError(nanos, TimeUnit.NANOSECONDS, new RetryableResponse(r.cause()));
      failures.failed(describe(batch, status, r, ar), r.cause().equals("429"),
          waitingRecords() + batch.items.size());
      if ((r.cause().equals("429") || r.cause().equals("timeout")) && limit.onOverload(epoch)) {
        listener.concurrencyLimitChanged(name, limit.current());
      }
      retryLater(batch, r);
      return;
    }
    breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    becomeReady();
    failures.succeeded();
    if (limit.onSuccess(inFlightAtStart)) {
      listener.concurrencyLimitChanged(name, limit.current());
    }
    if (outcome instanceof Delivered) {
      batch.items.forEach(Item::done);
    } else if (outcome instanceof PartiallyRejected p) {
      Rejections.apply(name, batch, p.rejections(), deadLetters);
    } else if (outcome instanceof Rejected r) {
      deadLetters.write(name, batch.endpoint, batch.items,
          Collections.nCopies(batch.items.size(), r.reason()));
    } else if (outcome instanceof TooLarge t) {
      tooLarge(batch, t.reason());
    }
  }

  /** A failed request in an operator's words: endpoint, status or connection problem. */
  private String describe(Batch batch, int status, Retryable r,
      AsyncResult<HttpResponse<Buffer>> ar) {
    String what = batch.endpoint.path() + " ";
    if (status > 0) {
      return what + "answered HTTP " + status;
    }
    String message = ar.failed() && ar.cause() != null && ar.cause().getMessage() != null
        ? ar.cause().getMessage() : r.cause();
    return what + (r.cause().equals("timeout") ? "timed out after "
        + Durations.format(config.requestTimeout()) : "could not connect (" + message + ")");
  }

  private void retryLater(Batch batch, Retryable r) {
    batch.attempt++;
    Duration delay = r.after() != null ? r.after()
        : backoff.delay(batch.attempt, ThreadLocalRandom.current().nextDouble());
    LOG.debug("destination {} {}: {} records retried in {} ms ({}, attempt {})", name,
        batch.endpoint.path(), batch.items.size(), delay.toMillis(), r.cause(), batch.attempt);
    listener.retryScheduled(name, batch.endpoint, r.cause(), delay);
    timers.after(delay, () -> {
      queue.addFirst(batch);
      pump();
    });
  }

  private void tooLarge(Batch batch, String reason) {
    if (batch.items.size() == 1) {
      deadLetters.write(name, batch.endpoint, batch.items, List.of("413 " + reason));
      return;
    }
    List<Batch> halves = batch.halves();
    listener.batchSplit(name, batch.endpoint);
    queue.addFirst(halves.get(1));
    queue.addFirst(halves.get(0));
  }

  private void unauthorized(Batch batch, String reason) {
    queue.addFirst(batch);
    if (ready) {
      ready = false;
      LOG.error("destination {}: Mixpanel refused the credentials ({}); nothing is sent until they"
          + " are accepted, records stay queued, retrying every {}", name, reason,
          Durations.format(backoff.slow()));
      listener.readinessChanged(name, false);
    }
    failures.unauthorized(reason, waitingRecords());
    listener.retryScheduled(name, batch.endpoint, "unauthorized", backoff.slow());
  }

  /** While not ready, exactly one probe is always due, scheduled or in flight. */
  private void scheduleProbe() {
    if (!probeScheduled && !probeDue && inFlight == 0) {
      probeScheduled = true;
      timers.after(backoff.slow(), () -> {
        probeScheduled = false;
        probeDue = true;
        pump();
      });
    }
  }

  private void becomeReady() {
    if (!ready) {
      ready = true;
      LOG.info("destination {}: Mixpanel accepts the credentials again; sending resumes", name);
      listener.readinessChanged(name, true);
    }
  }

  /** A retryable response, as the circuit breaker records it. */
  static final class RetryableResponse extends RuntimeException {
    RetryableResponse(String cause) {
      super(cause, null, false, false);
    }
  }
}

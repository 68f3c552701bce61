package dev.mixrelay.ops;

import dev.mixrelay.stage.StageListener;
import dev.mixrelay.deliver.DeliveryListener;
import dev.mixrelay.ingest.IntakeListener;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.session.SessionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The relay's metrics in Prometheus format at {@code GET /metrics}: the stages' listener
 * interfaces implemented with Micrometer. Labels are bounded values (source and destination names
 * from the config, message types, endpoints, status codes, reason codes), never user data.
 */
public final class Metrics implements StageListener {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Kept so the GC notifications it listens to can be released with the registry. */
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  /** The JVM's own families too (heap, GC pauses, threads, CPU, uptime), as operators expect. */
  public Metrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Stops listening to GC notifications. */
  public void close() {
    gcMetrics.close();
  }
  private final Map<String, AtomicInteger> breakerStates = new ConcurrentHashMap<>();
  /** Meters by name and tags: registering through a builder costs more than the count itself. */
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  /** The per-message meters, by two names each, found without building a key. */
  private final ByTwo<Counter> accepted = new ByTwo<>();
  private final ByTwo<Timer> translation = new ByTwo<>();
  private final ByTwo<Counter> recordsMade = new ByTwo<>();
  private final ByTwo<Timer> deliveryLatency = new ByTwo<>();

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void mount(Router router) {
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape()));
  }

  /** A gauge read at scrape time. */
  public void gauge(String name, String description, Supplier<Number> value, String... tags) {
    Gauge.builder(name, value).description(description).tags(tags).register(registry);
  }

  private static String key(String name, String... tags) {
    return name + '\u0000' + String.join("\u0000", tags);
  }

  private Counter counter(String name, String description, String... tags) {
    String key = key(name, tags);
    Counter counter = counters.get(key);
    return counter != null ? counter : counters.computeIfAbsent(key, k ->
        Counter.builder(name).description(description).tags(tags).register(registry));
  }

  private Timer timer(String name, String description, boolean histogram, String... tags) {
    String key = key(name, tags);
    Timer timer = timers.get(key);
    return timer != null ? timer : timers.computeIfAbsent(key, k -> {
      Timer.Builder b = Timer.builder(name).description(description).tags(tags);
      return (histogram ? b.publishPercentileHistogram() : b).register(registry);
    });
  }

  public IntakeListener intake() {
    return new IntakeListener() {
      @Override
      public void accepted(String source, String type) {
        accepted.get(source, type, () -> counter("mixrelay_messages_received_total",
            "Segment messages by outcome", "source", source, "type", type, "outcome", "accepted",
            "reason", "none")).increment();
      }

      @Override
      public void rejected(String source, String reason) {
        received(source, "-", "rejected", reason);
      }

      @Override
      public void duplicate(String source, String type) {
        Metrics.this.duplicate(source, type);
      }
    };
  }

  /** A message answered but not appended again: a repeat within the messageId window. */
  public void duplicate(String source, String type) {
    received(source, type, "duplicate", "within_window");
  }

  private void received(String source, String type, String outcome, String reason) {
    counter("mixrelay_messages_received_total", "Segment messages by outcome",
        "source", source, "type", type, "outcome", outcome, "reason", reason).increment();
  }

  /** A message the pipeline skipped on purpose (integrations off, no page option, ...). */
  @Override
  public void skipped(String destination, String reason) {
    counter("mixrelay_messages_skipped_total", "messages deliberately not sent",
        "destination", destination, "reason", reason).increment();
  }

  @Override
  public void translated(String destination, String type, int records, long nanos) {
    translation.get(destination, type, () -> Timer.builder("mixrelay_translation_seconds")
        .description("time to translate one message").tags("destination", destination, "type", type)
        .publishPercentileHistogram() // translation takes microseconds: buckets from 1 us
        .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(1))
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    recordsMade.get(destination, "", () -> counter("mixrelay_records_made_total",
        "Mixpanel records made by translation", "destination", destination)).increment(records);
  }

  @Override
  public void truncated(String destination, int values) {
    counter("mixrelay_values_truncated_total", "names or values cut to 255 characters",
        "destination", destination).increment(values);
  }

  public void deadLetteredMessage(String destination, String reason, int records) {
    deadLetters(destination, reason, records);
  }

  @Override
  public void deadLettered(String destination, String reason, int records) {
    deadLetters(destination, reason, records);
  }

  @Override
  public void finished(String destination, long millisSinceAppend) {
    deliveryLatency.get(destination, "", () -> timer("mixrelay_delivery_latency_seconds",
        "from intake to done at Mixpanel", true, "destination", destination))
        .record(millisSinceAppend, TimeUnit.MILLISECONDS);
  }

  private void deadLetters(String destination, String reason, int records) {
    counter("mixrelay_dead_letters_total", "records stored as dead letters",
        "destination", destination, "reason", reason).increment(records);
  }

  public DeliveryListener delivery() {
    return new DeliveryListener() {
      @Override
      public void requestCompleted(String destination, Endpoint endpoint, int status, int records,
          Duration latency) {
        counter("mixrelay_mixpanel_requests_total", "requests to Mixpanel by status",
            "destination", destination, "endpoint", endpoint.path(), "status", String.valueOf(status))
            .increment();
        DistributionSummary.builder("mixrelay_mixpanel_records_per_request").description("records per request")
            .tags("destination", destination, "endpoint", endpoint.path()).register(registry).record(records);
        timer("mixrelay_mixpanel_request_seconds", "Mixpanel request latency", false,
            "destination", destination, "endpoint", endpoint.path()).record(latency);
      }

      @Override
      public void retryScheduled(String destination, Endpoint endpoint, String cause, Duration delay) {
        counter("mixrelay_mixpanel_retries_total", "batches scheduled for another try",
            "destination", destination, "endpoint", endpoint.path(), "cause", cause).increment();
      }

      @Override
      public void deadLettered(String destination, Endpoint endpoint, int records) {
        deadLetters(destination, "mixpanel_rejected", records);
      }

      @Override
      public void breakerStateChanged(String destination, String state) {
        breakerState(destination).set("CLOSED".equals(state) ? 0 : 1);
      }
    };
  }

  /**
   * Declares a configured destination, so its circuit-breaker gauge reads 0 (closed) from the start
   * instead of appearing only at the first state change.
   */
  public void destination(String destination) {
    breakerState(destination);
  }

  private AtomicInteger breakerState(String destination) {
    return breakerStates.computeIfAbsent(destination, d -> {
      AtomicInteger v = new AtomicInteger();
      Gauge.builder("mixrelay_circuit_breaker_open", v, AtomicInteger::get)
          .description("1 while the destination's circuit breaker is open or half-open")
          .tags("destination", d).register(registry);
      return v;
    });
  }

  public SessionListener sessions(String destination) {
    return new SessionListener() {
      @Override
      public void sessionOpened() {
        count("mixrelay_sessions_opened_total", "none");
      }

      @Override
      public void sessionClosed(Reason reason) {
        count("mixrelay_sessions_closed_total", reason.name().toLowerCase(Locale.ROOT));
      }

      @Override
      public void lateEvent() {
        count("mixrelay_session_late_events_total", "late");
      }

      @Override
      public void handoffMissed() {
        count("mixrelay_sessions_handoffs_timed_out_total", "timed_out");
      }

      @Override
      public void eventNotOwned() {
        count("mixrelay_session_events_not_owned_total", "not_owned");
      }

      @Override
      public void duplicateHandoff() {
        count("mixrelay_sessions_handoffs_duplicate_total", "replayed");
      }

      private void count(String name, String reason) {
        counter(name, null, "destination", destination, "reason", reason).increment();
      }
    };
  }

  /** Meters under two names (a missing second name is ""), looked up without allocating. */
  private static final class ByTwo<M> {
    private final Map<String, Map<String, M>> meters = new ConcurrentHashMap<>();

    M get(String first, String second, Supplier<M> make) {
      Map<String, M> inner = meters.get(first);
      if (inner == null) {
        inner = meters.computeIfAbsent(first, k -> new ConcurrentHashMap<>());
      }
      M m = inner.get(second);
      return m != null ? m : inner.computeIfAbsent(second, k -> make.get());
    }
  }
}

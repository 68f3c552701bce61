package dev.mixrelay.ops;

import dev.mixrelay.deliver.DeliveryListener;
import dev.mixrelay.ingest.IntakeListener;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.session.SessionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
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
public final class Metrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicInteger> breakerStates = new ConcurrentHashMap<>();

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

  public IntakeListener intake() {
    return new IntakeListener() {
      @Override
      public void accepted(String source, String type) {
        received(source, type, "accepted", "none");
      }

      @Override
      public void rejected(String source, String reason) {
        received(source, "-", "rejected", reason);
      }
    };
  }

  private void received(String source, String type, String outcome, String reason) {
    Counter.builder("mixrelay_messages_received_total").description("Segment messages by outcome")
        .tags("source", source, "type", type, "outcome", outcome, "reason", reason)
        .register(registry).increment();
  }

  /** A message the pipeline skipped on purpose (integrations off, no page option, ...). */
  public void skipped(String destination, String reason) {
    Counter.builder("mixrelay_messages_skipped_total").description("messages deliberately not sent")
        .tags("destination", destination, "reason", reason).register(registry).increment();
  }

  public void translated(String destination, String type, int records, long nanos) {
    Timer.builder("mixrelay_translation_seconds").description("time to translate one message")
        .tags("destination", destination, "type", type).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(1))
        .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    Counter.builder("mixrelay_records_made_total").description("Mixpanel records made by translation")
        .tags("destination", destination).register(registry).increment(records);
  }

  public void truncated(String destination, int values) {
    Counter.builder("mixrelay_values_truncated_total").description("names or values cut to 255 characters")
        .tags("destination", destination).register(registry).increment(values);
  }

  public void deadLetteredMessage(String destination, String reason, int records) {
    deadLetters(destination, reason, records);
  }

  public void finished(String destination, long millisSinceAppend) {
    Timer.builder("mixrelay_delivery_latency_seconds").description("from intake to done at Mixpanel")
        .tags("destination", destination).publishPercentileHistogram()
        .register(registry).record(millisSinceAppend, TimeUnit.MILLISECONDS);
  }

  private void deadLetters(String destination, String reason, int records) {
    Counter.builder("mixrelay_dead_letters_total").description("records stored as dead letters")
        .tags("destination", destination, "reason", reason).register(registry).increment(records);
  }

  public DeliveryListener delivery() {
    return new DeliveryListener() {
      @Override
      public void requestCompleted(String destination, Endpoint endpoint, int status, int records,
          Duration latency) {
        Counter.builder("mixrelay_mixpanel_requests_total").description("requests to Mixpanel by status")
            .tags("destination", destination, "endpoint", endpoint.path(), "status", String.valueOf(status))
            .register(registry).increment();
        DistributionSummary.builder("mixrelay_mixpanel_records_per_request").description("records per request")
            .tags("destination", destination, "endpoint", endpoint.path()).register(registry).record(records);
        Timer.builder("mixrelay_mixpanel_request_seconds").description("Mixpanel request latency")
            .tags("destination", destination, "endpoint", endpoint.path()).register(registry).record(latency);
      }

      @Override
      public void retryScheduled(String destination, Endpoint endpoint, String cause, Duration delay) {
        Counter.builder("mixrelay_mixpanel_retries_total").description("batches scheduled for another try")
            .tags("destination", destination, "endpoint", endpoint.path(), "cause", cause)
            .register(registry).increment();
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

      private void count(String name, String reason) {
        Counter.builder(name).tags("destination", destination, "reason", reason).register(registry).increment();
      }
    };
  }
}

package dev.mixrelay.app;

import dev.mixrelay.imports.Polling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What watching costs (issue 7): the intake benchmark's load measured twice on one relay (admin
 * token set, pipeline on, records discarded instead of delivered), once plain and once with a
 * {@code /debugger} event stream open and read and {@code /metrics} scraped every second. Prints
 * both figures and their ratio, and writes them to {@code target/bench/observability-overhead.txt}.
 * A report, not a timed test: {@code mvn -B -o -Pbench test -Dtest=ObservabilityOverheadBenchmark}
 * ({@code -Dbench.events=1000000} events per phase, {@code -Dbench.rounds=2} pairs of phases,
 * alternating, {@code -Dbench.concurrency=32}).
 */
@Tag("bench")
class ObservabilityOverheadBenchmark {
  private static final String ADMIN = "bench-admin-token";

  @TempDir
  Path dir;

  @Test
  void throughputWithTheDebuggerOpenAndMetricsScrapedStaysCloseToThePlainOne() throws Exception {
    long events = Long.getLong("bench.events", 1_000_000);
    int concurrency = Integer.getInteger("bench.concurrency", 32);
    Duration phaseLimit = Duration.ofSeconds(Integer.getInteger("bench.maxSeconds", 300));
    long requests = Math.max(1, events / IntakeLoad.EVENTS_PER_REQUEST);
    var config =
        RelayFixture.baseYaml(dir, "admin: { token: " + ADMIN + " }", "http://127.0.0.1:1");
    Vertx vertx = Vertx.vertx();
    Relay relay = RelayFixture.await(Relay.start(vertx, config, Clock.systemUTC(),
        r -> new Discarding(), true));
    int rounds = Integer.getInteger("bench.rounds", 4);
    long[] plain = new long[2]; // events, nanos
    long[] watched = new long[2];
    List<Double> plainRates = new ArrayList<>();
    List<Double> watchedRates = new ArrayList<>();
    long failed = 0;
    long rows = 0;
    long scrapes = 0;
    StringBuilder phases = new StringBuilder();
    try (IntakeLoad load = new IntakeLoad(relay.port(), RelayFixture.WRITE_KEY, concurrency)) {
      load.run(phaseLimit, Math.max(1, requests / 5)); // warm-up
      for (int round = 1; round <= rounds; round++) {
        // plain then watched in odd rounds, watched then plain in even ones (ABBA), so a relay
        // that slows as its state grows weighs on both figures alike
        IntakeLoad.Result p = null;
        if (round % 2 == 1) {
          drain(relay);
          p = load.run(phaseLimit, requests);
        }
        drain(relay);
        IntakeLoad.Result w;
        try (Watcher watcher = new Watcher(load.vertx(), relay.port())) {
          w = load.run(phaseLimit, requests);
          rows += watcher.rows.get();
          scrapes += watcher.scrapes.get();
        }
        if (round % 2 == 0) {
          drain(relay);
          p = load.run(phaseLimit, requests);
        }
        add(plain, p);
        add(watched, w);
        plainRates.add(p.eventsPerSecond());
        watchedRates.add(w.eventsPerSecond());
        failed += p.failed() + w.failed();
        phases.append(String.format(java.util.Locale.ROOT,
            "  round %d: plain %,.0f events/s (%.1f s), watched %,.0f events/s (%.1f s);"
                + " JVM uptime %.0f s at the end%n", round, p.eventsPerSecond(), p.seconds(),
            w.eventsPerSecond(), w.seconds(),
            java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0));
      }
      drain(relay);
    }
    double plainRate = rate(plain);
    double watchedRate = rate(watched);
    double plainMedian = median(plainRates);
    double watchedMedian = median(watchedRates);
    double ratio = watchedMedian / plainMedian;
    String report = String.format(java.util.Locale.ROOT,
        "observability overhead: /v1/batch, 100 events/request, fsync=batch, %d concurrent,"
            + " pipeline on, %d events per phase, %d rounds%n%s"
            + "  plain:   median %,.0f events/s (all phases pooled %,.0f)%n"
            + "  watched: median %,.0f events/s (all phases pooled %,.0f; /debugger stream open and"
            + " read, /metrics scraped every second: %d rows streamed, %d scrapes)%n"
            + "  ratio of medians watched/plain: %.3f (%+.1f%%); the median, because now and then"
            + " one phase of either kind runs ~40%% slow%n",
        concurrency, requests * IntakeLoad.EVENTS_PER_REQUEST, rounds, phases, plainMedian,
        plainRate, watchedMedian, watchedRate, rows, scrapes, ratio, (ratio - 1) * 100);
    System.out.print(report);
    Files.createDirectories(Path.of("target/bench"));
    Files.writeString(Path.of("target/bench/observability-overhead.txt"), report);
    RelayFixture.await(relay.stop(Duration.ofSeconds(5)));
    RelayFixture.await(vertx.close());
    assertThat(failed).isZero();
    assertThat(rows).as("rows the debugger stream delivered").isPositive();
    assertThat(scrapes).as("metrics scrapes").isPositive();
  }

  private static void add(long[] total, IntakeLoad.Result r) {
    total[0] += r.ok() * IntakeLoad.EVENTS_PER_REQUEST;
    total[1] += r.nanos();
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    java.util.Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double rate(long[] total) {
    return total[0] / (total[1] / 1e9);
  }

  /** Waits until the pipeline has finished everything in the log, so phases start alike. */
  private static void drain(Relay relay) throws Exception {
    Polling.await(relay.logFinished(), Duration.ofMinutes(5));
  }

  /** One debugger stream read to the end of each chunk, and a metrics scrape every second. */
  private static final class Watcher implements AutoCloseable {
    private static final String ROW = "event: row\n";
    final AtomicLong rows = new AtomicLong();
    final AtomicLong scrapes = new AtomicLong();
    private final Vertx vertx;
    private final HttpClient http;
    private final long timer;

    Watcher(Vertx vertx, int port) {
      this.vertx = vertx;
      this.http = vertx.createHttpClient();
      StringBuilder tail = new StringBuilder();
      RelayFixture.await(http.request(new RequestOptions().setMethod(HttpMethod.GET)
              .setHost("127.0.0.1").setPort(port).setURI("/debugger/events?token=" + ADMIN))
          .compose(req -> req.send()).map(res -> {
            assertThat(res.statusCode()).isEqualTo(200);
            res.handler(chunk -> {
              // count whole markers only, also when one straddles two chunks
              tail.append(chunk.toString());
              int at = 0;
              for (int i = tail.indexOf(ROW); i >= 0; i = tail.indexOf(ROW, at)) {
                rows.incrementAndGet();
                at = i + ROW.length();
              }
              tail.delete(0, Math.max(at, tail.length() - ROW.length()));
            });
            return res;
          }));
      scrape(port);
      this.timer = vertx.setPeriodic(1000, t -> scrape(port));
    }

    private void scrape(int port) {
      http.request(HttpMethod.GET, port, "127.0.0.1", "/metrics")
          .compose(req -> req.send()).compose(res -> res.body())
          .onSuccess(body -> scrapes.incrementAndGet());
    }

    @Override
    public void close() {
      vertx.cancelTimer(timer);
      RelayFixture.await(http.close());
    }
  }

  /** Finishes every send at once and keeps nothing: the benchmark measures intake, not Mixpanel. */
  private static final class Discarding implements Delivery {
    @Override
    public Future<Void> send(DestinationConfig destination, List<MixpanelRecord> batch) {
      return Future.succeededFuture();
    }

    @Override
    public boolean ready(String destination) {
      return true;
    }

    @Override
    public Future<Void> close(Duration deadline) {
      return Future.succeededFuture();
    }
  }
}

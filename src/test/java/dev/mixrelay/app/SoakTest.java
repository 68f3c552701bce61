package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.mock.InsertIdDigest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The soak: {@code soak.minutes} (30) of {@code soak.rate} (10,000) events/s from a load generator
 * over loopback into a relay in its own JVM, delivering to the mock Mixpanel in another JVM that
 * fails 5% of requests; the relay is killed with SIGKILL at a third and at two thirds of the run
 * and started again on the same data directory. Every ten seconds it samples heap after GC, RSS,
 * intake log depth and what the mock received; at the end it reconciles the mock's distinct
 * {@code $insert_id}s with the accepted messages and the session ids with an uninterrupted run.
 * Not part of {@code verify}: {@code mvn -B -Psoak test -Dtest=SoakTest}; report in
 * {@code target/soak/}.
 */
@Tag("soak")
class SoakTest {
  private static final long SEED = 8;
  private static final String WRITE_KEY = "soak-key";
  private static final String TOKEN = "soak-token";
  private static final String SECRET = "soak-secret";
  /** 2.5% 500, 1.5% 429 (Retry-After: 1), 1% stored then connection reset; 20 ms per request. */
  private static final String FAULTS = "{\"errorRate\":0.025,\"errorStatus\":500,"
      + "\"rateLimitRate\":0.015,\"retryAfterSeconds\":1,\"resetAfterAcceptRate\":0.01,"
      + "\"latencyMs\":20,\"seed\":" + SEED + "}";
  private static final double HEAP_GROWTH_LIMIT = 0.15;
  /**
   * After the last event the relay places held events once allowedLateness (60 s) passes without
   * any, and closes the sessions still open by the wall clock after timeout + allowedLateness.
   */
  private static final long SETTLE_MS = 60_000 + 60_000 + 10_000;

  private final Clock clock = Clock.systemUTC();
  private final Path dir = Path.of("target", "soak");

  private record Check(String name, boolean pass, String detail) {
    String line() {
      return "[" + (pass ? "PASS" : "FAIL") + "] " + name + ": " + detail;
    }
  }

  @Test
  void aLongLoadWithTwoKill9sLosesNothingKeepsSessionsAndKeepsTheHeapFlat() throws Exception {
    double minutes = Double.parseDouble(System.getProperty("soak.minutes", "30"));
    int rate = Integer.getInteger("soak.rate", 10_000);
    int connections = Integer.getInteger("soak.connections", 8);
    String relayHeap = System.getProperty("soak.relayHeap", "768m");
    long duration = (long) (minutes * 60_000);
    long third = duration / 3;
    clean(dir);
    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx);
    int mockPort = RelayProcess.freePort();
    int relayPort = RelayProcess.freePort();
    long mockHeapMb = 768 + (long) (rate * minutes * 60 * 1.05 * 120 / (1 << 20));
    Process mock = RelayProcess.mock(mockPort, List.of("--token", TOKEN, "--secret", SECRET),
        dir.resolve("mock.log"), "-Xmx" + mockHeapMb + "m");
    Process relay = null;
    List<Check> checks = new ArrayList<>();
    try {
      RelayProcess.awaitOk(vertx, client, mockPort, "/__mixpanel/health", 60);
      assertThat(client.post(mockPort, "127.0.0.1", "/__mixpanel/faults")
          .sendBuffer(Buffer.buffer(FAULTS)).toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      Path config = writeConfig(relayPort, mockPort);
      relay = startRelay(vertx, client, config, relayPort, 1, relayHeap);

      long start = clock.millis() + 1000;
      SoakTraffic traffic = new SoakTraffic(SEED, rate, start);
      SoakLoad load = new SoakLoad(vertx, clock, relayPort, WRITE_KEY, traffic, connections);
      SoakMonitor monitor = new SoakMonitor(vertx, clock, start, start + duration, relayPort,
          mockPort, load, dir);
      monitor.line(String.format(Locale.ROOT, "soak: %.1f min at %d events/s (seed %d, %d people,"
          + " %d connections, /v1/batch x%d), relay -Xmx%s, mock faults %s", minutes, rate, SEED,
          traffic.people(), connections, SoakTraffic.BATCH, relayHeap, FAULTS));
      monitor.relay(1, relay, gcLog(1));
      waitUntil(vertx, start);
      monitor.start();
      load.start();

      for (int k = 1; k <= 2; k++) {
        waitUntil(vertx, start + k * third);
        checks.add(new Check("relay " + k + " alive until its kill", relay.isAlive(),
            relay.isAlive() ? "pid " + relay.pid() : "exited with " + relay.exitValue()
                + ", see " + relayLog(k)));
        relay.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long killed = clock.millis();
        relay = startRelay(vertx, client, config, relayPort, k + 1, relayHeap);
        monitor.relay(k + 1, relay, gcLog(k + 1));
        monitor.line(String.format(Locale.ROOT, "kill -9 #%d at %d s; ready again after %.1f s",
            k, (killed - start) / 1000, (clock.millis() - killed) / 1000.0));
      }

      waitUntil(vertx, start + duration);
      load.stop().get(10, TimeUnit.MINUTES);
      long stopped = clock.millis();
      long batches = traffic.batches();
      monitor.line(String.format(Locale.ROOT, "load stopped at %d s: %d batches answered",
          (stopped - start) / 1000, batches));
      DestinationConfig destination = ConfigLoader.load(config, Map.of()).destinations()
          .get("main");
      CompletableFuture<SoakReference.Result> reference = CompletableFuture.supplyAsync(() -> {
        try {
          long t0 = clock.millis();
          SoakReference.Result r = SoakReference.run(destination,
              new SoakTraffic(SEED, rate, start), batches, load.refusedBatches());
          monitor.line(String.format(Locale.ROOT, "uninterrupted reference run: %d messages in"
              + " %.0f s", r.messages(), (clock.millis() - t0) / 1000.0));
          return r;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      boolean drained = drain(vertx, monitor, stopped + SETTLE_MS,
          Math.max(600, (int) (duration / 1000)));
      long drainedAt = clock.millis();
      monitor.stop();
      SoakReference.Result expected = reference.get(60, TimeUnit.MINUTES);
      JsonNode counts = monitor.mockCounts();
      checks.add(new Check("relay 3 alive to the end", relay.isAlive(),
          relay.isAlive() ? "pid " + relay.pid() : "exited, see " + relayLog(3)));
      report(monitor, checks, load, batches, stopped - start, drained, drainedAt - stopped,
          expected, counts, third);
    } finally {
      if (relay != null) {
        relay.destroy();
        relay.waitFor(60, TimeUnit.SECONDS);
        relay.destroyForcibly();
      }
      mock.destroy();
      mock.waitFor(30, TimeUnit.SECONDS);
      mock.destroyForcibly();
      vertx.close();
    }
    assertThat(checks).allSatisfy(c -> assertThat(c.pass()).as(c.line()).isTrue());
  }

  private void report(SoakMonitor monitor, List<Check> checks, SoakLoad load, long batches,
      long loadMillis, boolean drained, long drainMillis, SoakReference.Result expected,
      JsonNode counts, long third) throws Exception {
    long accepted = load.acceptedMessages.get();
    monitor.line(String.format(Locale.ROOT, "accepted %d messages in %d batches (%.0f events/s over"
        + " the load), %d answers 503/429, %d retries while unreachable, %d refused %s", accepted,
        batches, accepted * 1000.0 / loadMillis, load.backPressure.get(), load.unreachable.get(),
        load.refused.get(), load.firstRefusal));
    monitor.line("mock: " + (counts == null ? "no answer" : counts.toString()));
    checks.add(new Check("every batch accepted", load.refused.get() == 0
        && accepted == batches * SoakTraffic.BATCH, accepted + " of "
        + batches * SoakTraffic.BATCH + " messages"));
    checks.add(new Check("drained", drained, drained
        ? String.format(Locale.ROOT, "log empty, no open session and the mock still %.0f s after"
            + " the load stopped", drainMillis / 1000.0)
        : "not within " + drainMillis / 1000 + " s"));
    String events = counts == null ? "" : counts.path("eventInsertIdDigest").asText();
    String sessions = counts == null ? "" : counts.path("sessionInsertIdDigest").asText();
    checks.add(new Check("distinct event $insert_ids at the mock equal the accepted messages'",
        events.equals(expected.events().value()) && expected.notTranslated() == 0,
        String.format(Locale.ROOT, "mock %s, expected %d from %d messages (%d not translated)%s",
            countOf(events), expected.events().count(), expected.messages(),
            expected.notTranslated(), events.equals(expected.events().value())
                ? ", digests equal" : ", digests differ")));
    checks.add(new Check("session $insert_ids equal an uninterrupted run's",
        sessions.equals(expected.sessions().value()) && expected.sessions().count() > 0,
        String.format(Locale.ROOT, "mock %s, uninterrupted run %d%s", countOf(sessions),
            expected.sessions().count(), sessions.equals(expected.sessions().value())
                ? ", digests equal" : ", digests differ")));
    checks.add(heapCheck(monitor, third));
    monitor.line(heapLine(monitor.samples()));
    for (Check c : checks) {
      monitor.line(c.line());
    }
    monitor.line(checks.stream().allMatch(Check::pass) ? "SOAK PASS" : "SOAK FAIL");
  }

  private static String countOf(String digest) {
    return digest.isEmpty() ? "no digest" : Long.toString(InsertIdDigest.countOf(digest));
  }

  /**
   * Mean heap after GC of the second and of the last third (each a relay started at the third's
   * beginning), each after its warm-up (a fifth of the third, at least 20 s), under load.
   */
  private static Check heapCheck(SoakMonitor monitor, long third) {
    long warmUp = Math.max(20_000, third / 5);
    DoubleSummaryStatistics second = heapAfterGc(monitor.samples(), 2, third + warmUp);
    DoubleSummaryStatistics last = heapAfterGc(monitor.samples(), 3, 2 * third + warmUp);
    if (second.getCount() < 2 || last.getCount() < 2) {
      return new Check("heap flat after warm-up", false, "too few samples after the warm-up of "
          + warmUp / 1000 + " s (" + second.getCount() + " and " + last.getCount()
          + "): run at least 3 minutes");
    }
    double growth = last.getAverage() / second.getAverage() - 1;
    return new Check("heap flat after warm-up", growth <= HEAP_GROWTH_LIMIT, String.format(
        Locale.ROOT, "mean heap after GC %.1f MB in the second third (min %.0f, max %.0f, %d"
            + " samples), %.1f MB in the last (min %.0f, max %.0f, %d samples): %+.1f%%, limit"
            + " +%.0f%%; warm-up %d s after each start excluded", second.getAverage(),
        second.getMin(), second.getMax(), second.getCount(), last.getAverage(), last.getMin(),
        last.getMax(), last.getCount(), growth * 100, HEAP_GROWTH_LIMIT * 100, warmUp / 1000));
  }

  private static DoubleSummaryStatistics heapAfterGc(List<SoakMonitor.Sample> samples,
      int instance, long fromMs) {
    return samples.stream().filter(s -> s.instance() == instance && s.loading()
        && s.second() * 1000 >= fromMs && s.heapAfterGcMb() >= 0)
        .mapToDouble(SoakMonitor.Sample::heapAfterGcMb).summaryStatistics();
  }

  private static String heapLine(List<SoakMonitor.Sample> samples) {
    StringBuilder b = new StringBuilder("per relay (under load):");
    for (int i = 1; i <= 3; i++) {
      int n = i;
      DoubleSummaryStatistics heap = samples.stream().filter(s -> s.instance() == n && s.loading()
          && s.heapAfterGcMb() >= 0).mapToDouble(SoakMonitor.Sample::heapAfterGcMb)
          .summaryStatistics();
      DoubleSummaryStatistics rss = samples.stream().filter(s -> s.instance() == n
          && s.rssMb() >= 0).mapToDouble(SoakMonitor.Sample::rssMb).summaryStatistics();
      long maxDepth = samples.stream().filter(s -> s.instance() == n)
          .mapToLong(SoakMonitor.Sample::logDepth).max().orElse(-1);
      b.append(String.format(Locale.ROOT, " #%d heap after GC %.0f-%.0f MB (mean %.0f), RSS"
          + " %.0f-%.0f MB, log depth max %d;", n, heap.getMin(), heap.getMax(),
          heap.getAverage(), rss.getMin(), rss.getMax(), maxDepth));
    }
    return b.toString();
  }

  /**
   * Waits until {@code notBefore} (when the relay has closed every session on the wall clock),
   * the log is empty, no session is open and the mock's counts stayed the same for 15 s.
   */
  private boolean drain(Vertx vertx, SoakMonitor monitor, long notBefore, int seconds) {
    long[] last = {-1, 0};
    try {
      RelayProcess.waitFor(vertx, () -> {
        String metrics = monitor.relayMetrics();
        JsonNode counts = monitor.mockCounts();
        if (metrics == null || counts == null) {
          return false;
        }
        long seen = counts.path("events").asLong();
        long now = System.nanoTime() / 1_000_000;
        if (seen != last[0]) {
          last[0] = seen;
          last[1] = now;
        }
        return clock.millis() >= notBefore
            && SoakMonitor.metric(metrics, "mixrelay_intake_log_messages") == 0
            && SoakMonitor.metric(metrics, "mixrelay_sessions_open") == 0
            && now - last[1] >= 15_000;
      }, seconds, 2000);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private Process startRelay(Vertx vertx, WebClient client, Path config, int port, int n,
      String heap) throws Exception {
    Process p = RelayProcess.relay(config, relayLog(n), "-Xmx" + heap,
        "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + gcLog(n));
    RelayProcess.awaitOk(vertx, client, port, "/ready", 120);
    return p;
  }

  private Path relayLog(int n) {
    return dir.resolve("relay-" + n + ".log");
  }

  private Path gcLog(int n) {
    return dir.resolve("relay-" + n + "-gc.log");
  }

  private Path writeConfig(int port, int mockPort) throws Exception {
    Path f = dir.resolve("mixrelay.yaml");
    Files.writeString(f, yaml(port, dir.resolve("data"), mockPort));
    return f;
  }

  /** The relay's configuration in the soak (and in its reference run). */
  static String yaml(int port, Path dataDir, int mockPort) {
    return """
        server: { host: 127.0.0.1, port: %d }
        storage: { dir: "%s", fsync: batch }
        sources: [ { writeKey: %s, destination: main } ]
        destinations:
          main:
            token: %s
            apiSecret: %s
            apiHost: "http://127.0.0.1:%d"
            settings:
              people: true
              setAllTraitsByDefault: true
              identityMerge: simplified
              groupIdentifierTraits: [company_id]
            sessions: { mode: timeout, timeout: 1m, allowedLateness: 60s }
        """.formatted(port, dataDir.toAbsolutePath().toString().replace("\\", "/"), WRITE_KEY,
        TOKEN, SECRET, mockPort);
  }

  private void waitUntil(Vertx vertx, long at) throws Exception {
    CompletableFuture<Void> due = new CompletableFuture<>();
    vertx.setTimer(Math.max(1, at - clock.millis()), t -> due.complete(null));
    due.get(at - clock.millis() + 60_000, TimeUnit.MILLISECONDS);
  }

  private static void clean(Path dir) throws Exception {
    if (Files.exists(dir)) {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(dir);
  }
}

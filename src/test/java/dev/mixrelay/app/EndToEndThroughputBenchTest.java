package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.mock.MockMixpanel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end throughput: Segment batches posted to a running relay (real log, pipeline and
 * delivery) until the mock Mixpanel holds every event. Run:
 * {@code mvn -o -Pbench test -Dtest=EndToEndThroughputBenchTest}; a warm-up run of
 * {@code bench.warmup} messages comes first, the figure is for the next {@code bench.messages}.
 */
@Tag("bench")
class EndToEndThroughputBenchTest {
  private static final int MESSAGES = Integer.getInteger("bench.messages", 1_000_000);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 600_000);
  private static final int PER_REQUEST = 100;
  private static final int CONCURRENT_POSTS = Integer.getInteger("bench.posts", 32);

  @TempDir
  Path dir;

  @Test
  void eventsPerSecondFromIntakeToTheMock() throws Exception {
    try (MockMixpanel mock = MockMixpanel.builder().retainBytes(0).build().start();
        RelayFixture fx = new RelayFixture(dir, RelayFixture.baseYaml(dir, null, mock.baseUrl()))) {
      DeliveryEndToEndTest.startReal(fx);
      // as many pooled connections as concurrent posts (WebClient's default pool holds 5)
      var client = io.vertx.ext.web.client.WebClient.create(fx.vertx,
          new io.vertx.ext.web.client.WebClientOptions().setKeepAlive(true),
          new io.vertx.core.http.PoolOptions().setHttp1MaxSize(CONCURRENT_POSTS));
      // warm-up: the JIT compiles intake, pipeline, delivery and the mock (about 10,000 methods;
      // on 2 cores the compiler threads take a third of the CPU for the first half minute)
      if (WARMUP > 0) {
        System.out.println("end-to-end bench warm-up: " + run(fx, mock, client, 0, WARMUP));
      }
      profiler("start," + System.getProperty("bench.profile.events", "event=itimer,interval=2ms,threads"));
      System.out.println("end-to-end bench: " + run(fx, mock, client, WARMUP, MESSAGES));
      profiler("stop,collapsed,file=" + System.getProperty("bench.profile"));
    }
  }

  /** Posts {@code count} messages from number {@code first} and waits until the mock has them. */
  private static String run(RelayFixture fx, MockMixpanel mock,
      io.vertx.ext.web.client.WebClient client, int first, int count) {
    long importsBefore = mock.counts().requestsWithStatus("200");
    long eventsBefore = mock.counts().events();
    var os = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    ArrayDeque<Future<?>> window = new ArrayDeque<>();
    for (int sent = first; sent < first + count; sent += PER_REQUEST) {
      Buffer body = batch(sent);
      window.addLast(client.post(fx.relay.port(), "127.0.0.1", "/v1/batch")
          .putHeader("Content-Type", "application/json")
          .putHeader("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY))
          .sendBuffer(body).map(r -> {
            assertThat(r.statusCode()).isEqualTo(200);
            return r;
          }));
      if (window.size() >= CONCURRENT_POSTS) {
        RelayFixture.await(window.pollFirst());
      }
    }
    window.forEach(RelayFixture::await);
    double intakeSeconds = (System.nanoTime() - t0) / 1e9;
    while (mock.counts().distinctInsertIds() < first + count) {
      Promise<Void> tick = Promise.promise();
      fx.vertx.setTimer(20, id -> tick.complete());
      RelayFixture.await(tick.future());
      assertThat((System.nanoTime() - t0) / 1e9).isLessThan(300);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuMicros = (os.getProcessCpuTime() - cpu0) / 1e3 / count;
    long imports = mock.counts().requestsWithStatus("200") - importsBefore;
    return String.format("%d events, intake done in %.2f s (%.0f/s), all in the mock after %.2f s"
        + " = %.0f events/s; %d /import requests, mean %.1f records per request; %.1f µs of CPU"
        + " per event (load generator, relay and mock together), so %d cores at most %.0f events/s",
        count, intakeSeconds, count / intakeSeconds, seconds, count / seconds, imports,
        (mock.counts().events() - eventsBefore) / (double) imports, cpuMicros,
        os.getAvailableProcessors(), os.getAvailableProcessors() * 1e6 / cpuMicros);
  }

  /**
   * Drives async-profiler over the measured run only, when {@code -Dbench.profile=FILE} is given
   * with its jar on the test class path ({@code -Dmaven.test.additionalClasspath=...}) and its
   * agent loaded ({@code -Dtest.jvmArgs=-agentpath:.../libasyncProfiler.so}); {@code
   * -Dbench.profile.events=event=alloc} profiles allocation instead of CPU.
   */
  private static void profiler(String command) throws Exception {
    if (System.getProperty("bench.profile") == null) {
      return;
    }
    Class<?> type = Class.forName("one.profiler.AsyncProfiler");
    Object profiler = type.getMethod("getInstance").invoke(null);
    type.getMethod("execute", String.class).invoke(profiler, command);
  }

  /** One /v1/batch body of 100 numbered track calls for 1,000 users (also the debugger bench's). */
  static Buffer batch(int from) {
    StringBuilder b = new StringBuilder(PER_REQUEST * 160).append("{\"batch\":[");
    for (int i = from; i < from + PER_REQUEST; i++) {
      b.append(i == from ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u").append(i % 1000)
          .append("\",\"event\":\"Played\",\"messageId\":\"m-").append(i)
          .append("\",\"properties\":{\"n\":").append(i).append(",\"plan\":\"pro\"}}");
    }
    return Buffer.buffer(b.append("]}").toString());
  }
}

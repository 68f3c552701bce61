package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Intake throughput: {@code /v1/batch} with 100 realistic events per request over loopback, the
 * log's fsync on. A report, not a timed test: {@code mvn -B -Pbench verify -Dtest=IntakeBenchmark}
 * (seconds via {@code -Dbench.seconds=20}, concurrent requests via {@code -Dbench.concurrency=32}).
 */
@Tag("bench")
class IntakeBenchmark {
  @TempDir
  Path dir;

  static String realisticBatch(int seq) {
    StringBuilder sb = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < 100; i++) {
      int n = seq * 100 + i;
      sb.append(i == 0 ? "" : ",").append("""
          {"type":"track","event":"Product Viewed","userId":"user-%d","anonymousId":"anon-%d",
           "messageId":"bench-%d","timestamp":"2026-11-23T10:00:00.000Z",
           "properties":{"product_id":"sku-%d","price":19.99,"currency":"USD","category":"Shoes","name":"Runner"},
           "context":{"ip":"203.0.113.7","locale":"en-US","userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
             "page":{"path":"/p/sku","referrer":"https://www.google.com/","title":"Runner","url":"https://shop.example.com/p/sku"},
             "campaign":{"name":"winter","source":"google","medium":"cpc"},
             "library":{"name":"analytics.js","version":"next-1.70.0"}}}""".formatted(n % 5000, n % 9000, n, n % 300));
    }
    return sb.append("],\"sentAt\":\"2026-11-23T10:00:00.100Z\"}").toString();
  }

  @Test
  void intakeThroughputWithFsync() throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 15);
    int concurrency = Integer.getInteger("bench.concurrency", 32);
    boolean pipeline = Boolean.getBoolean("bench.pipeline");
    var config = RelayFixture.baseYaml(dir, "", "http://127.0.0.1:1");
    Vertx vertx = Vertx.vertx();
    Relay relay = RelayFixture.await(Relay.start(vertx, config, Clock.systemUTC(),
        r -> new RelayFixture.RecordingDelivery(), pipeline));
    Vertx load = Vertx.vertx();
    var client = load.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(concurrency));
    Buffer[] bodies = new Buffer[64];
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = Buffer.buffer(realisticBatch(i));
    }
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long warmupEnd = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
    AtomicLong measuredOk = new AtomicLong();
    Promise<Void> finished = Promise.promise();
    AtomicLong running = new AtomicLong(concurrency);
    RequestOptions opts = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(relay.port()).setURI("/v1/batch")
        .putHeader("Content-Type", "application/json")
        .putHeader("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY));
    for (int c = 0; c < concurrency; c++) {
      int worker = c;
      load.runOnContext(v -> loop(client, opts, bodies, worker, ok, failed, measuredOk, warmupEnd, end,
          running, finished));
    }
    RelayFixture.await(finished.future());
    double eps = measuredOk.get() * 100.0 / seconds;
    String report = String.format("intake /v1/batch, 100 events/request, fsync=batch, %d concurrent, %ds"
        + " (pipeline %s): %.0f events/s, %d requests failed%n", concurrency, seconds,
        pipeline ? "on" : "off", eps, failed.get());
    System.out.print(report);
    Files.createDirectories(Path.of("target/bench"));
    Files.writeString(Path.of("target/bench/intake.txt"), report);
    assertThat(failed.get()).isZero();
    RelayFixture.await(load.close());
    RelayFixture.await(relay.stop(Duration.ofSeconds(5)));
    RelayFixture.await(vertx.close());
  }

  private static void loop(io.vertx.core.http.HttpClient client, RequestOptions opts, Buffer[] bodies,
      int seq, AtomicLong ok, AtomicLong failed, AtomicLong measuredOk, long warmupEnd, long end,
      AtomicLong running, Promise<Void> finished) {
    long now = System.nanoTime();
    if (now >= end) {
      if (running.decrementAndGet() == 0) {
        finished.tryComplete();
      }
      return;
    }
    Future<Integer> f = client.request(opts).compose(req -> req.send(bodies[seq % bodies.length])
        .compose(resp -> resp.body().map(b -> resp.statusCode())));
    f.onComplete(ar -> {
      if (ar.succeeded() && ar.result() == 200) {
        ok.incrementAndGet();
        if (System.nanoTime() > warmupEnd && System.nanoTime() < end) {
          measuredOk.incrementAndGet();
        }
      } else {
        failed.incrementAndGet();
      }
      loop(client, opts, bodies, seq + 1, ok, failed, measuredOk, warmupEnd, end, running, finished);
    });
  }
}

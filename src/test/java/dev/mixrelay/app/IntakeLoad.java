package dev.mixrelay.app;

import dev.mixrelay.imports.Polling;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The intake benchmarks' load generator: {@code concurrency} keep-alive connections, each posting
 * {@code /v1/batch} requests of 100 realistic events back to back, from its own Vert.x instance.
 * A phase ends after a time or a number of requests, whichever comes first.
 */
final class IntakeLoad implements AutoCloseable {
  static final int EVENTS_PER_REQUEST = 100;

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient client;
  private final RequestOptions options;
  private final int concurrency;
  private final Buffer[] bodies = new Buffer[64];

  /** What one phase did. */
  record Result(long ok, long failed, long nanos) {
    double eventsPerSecond() {
      return ok * (double) EVENTS_PER_REQUEST / (nanos / 1e9);
    }

    double seconds() {
      return nanos / 1e9;
    }
  }

  private final String[] templates = new String[bodies.length];
  private final AtomicLong requests = new AtomicLong();

  IntakeLoad(int port, String writeKey, int concurrency) {
    this.concurrency = concurrency;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(concurrency));
    this.options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(port).setURI("/v1/batch")
        .putHeader("Content-Type", "application/json")
        .putHeader("Authorization", RelayFixture.basic(writeKey));
    for (int i = 0; i < bodies.length; i++) {
      templates[i] = realisticBatch(i);
      bodies[i] = Buffer.buffer(templates[i]);
    }
  }

  /** One {@code /v1/batch} body of 100 track calls as analytics.js sends them. */
  static String realisticBatch(int seq) {
    StringBuilder sb = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
      int n = seq * EVENTS_PER_REQUEST + i;
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

  /** The Vert.x instance the load runs on (for side traffic such as a debugger stream). */
  Vertx vertx() {
    return vertx;
  }

  /** Posts until {@code maxTime} passed or {@code maxRequests} were sent; waits for the last. */
  Result run(Duration maxTime, long maxRequests) {
    long start = System.nanoTime();
    long end = start + maxTime.toNanos();
    AtomicLong issued = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong running = new AtomicLong(concurrency);
    Promise<Void> finished = Promise.promise();
    for (int c = 0; c < concurrency; c++) {
      int worker = c;
      vertx.runOnContext(
          v -> loop(worker, end, maxRequests, issued, ok, failed, running, finished));
    }
    try {
      Polling.await(finished.future(), maxTime.plusSeconds(60)); // the phase, then the last answers
    } catch (Exception e) {
      throw new AssertionError("the load did not finish: " + e, e);
    }
    return new Result(ok.get(), failed.get(), System.nanoTime() - start);
  }

  private void loop(int seq, long end, long maxRequests, AtomicLong issued, AtomicLong ok,
      AtomicLong failed, AtomicLong running, Promise<Void> finished) {
    if (System.nanoTime() >= end || issued.incrementAndGet() > maxRequests) {
      if (running.decrementAndGet() == 0) {
        finished.tryComplete();
      }
      return;
    }
    // every request's messageIds are new (the relay's de-duplication window would drop repeats)
    Buffer body = Buffer.buffer(templates[seq % bodies.length].replace("\"messageId\":\"bench-",
        "\"messageId\":\"bench-" + requests.incrementAndGet() + "-"));
    Future<Integer> f = client.request(options).compose(req -> req.send(body)
        .compose(resp -> resp.body().map(b -> resp.statusCode())));
    f.onComplete(ar -> {
      if (ar.succeeded() && ar.result() == 200) {
        ok.incrementAndGet();
      } else {
        failed.incrementAndGet();
      }
      loop(seq + concurrency, end, maxRequests, issued, ok, failed, running, finished);
    });
  }

  @Override
  public void close() {
    RelayFixture.await(vertx.close());
  }
}

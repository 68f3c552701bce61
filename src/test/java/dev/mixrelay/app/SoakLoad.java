package dev.mixrelay.app;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends {@link SoakTraffic} to the relay's {@code /v1/batch} at its pace over a few keep-alive
 * connections, as a Segment library would: each batch is retried until it is answered 200 (after
 * {@code Retry-After} on 429 and 503, after 250 ms when the relay cannot be reached), so a relay
 * that is down only delays it. Any other answer is a refusal, counted and not retried. All state
 * lives on one Vert.x context.
 */
final class SoakLoad {
  private static final long UNREACHABLE_PAUSE_MS = 250;

  private final Vertx vertx;
  private final WebClient client;
  private final int port;
  private final String authorization;
  private final SoakTraffic traffic;
  private final int connections;
  private final Context context;
  private final Clock clock;
  private final BitSet refusedBatches = new BitSet();

  final AtomicLong acceptedMessages = new AtomicLong();
  final AtomicLong backPressure = new AtomicLong();
  final AtomicLong unreachable = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  volatile String firstRefusal = "";

  private int inFlight;
  private long timer = -1;
  private CompletableFuture<Void> stopped;

  SoakLoad(Vertx vertx, Clock clock, int port, String writeKey, SoakTraffic traffic,
      int connections) {
    this.vertx = vertx;
    this.clock = clock;
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(connections));
    this.port = port;
    this.authorization = RelayFixture.basic(writeKey);
    this.traffic = traffic;
    this.connections = connections;
    this.context = vertx.getOrCreateContext();
  }

  void start() {
    context.runOnContext(v -> timer = vertx.setPeriodic(5, t -> dispatch()));
  }

  /** Stops making batches; completes once every batch already made is answered for good. */
  CompletableFuture<Void> stop() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      stopped = done;
      maybeStopped();
    });
    return done;
  }

  /** The batches that were refused (read after {@link #stop()} completed). */
  BitSet refusedBatches() {
    return refusedBatches;
  }

  private void dispatch() {
    long now = clock.millis();
    while (stopped == null && inFlight < connections
        && traffic.dueMillis(traffic.batches()) <= now) {
      inFlight++;
      send(traffic.next());
    }
  }

  private void send(SoakTraffic.Batch batch) {
    client.post(port, "127.0.0.1", "/v1/batch").putHeader("Content-Type", "application/json")
        .putHeader("Authorization", authorization).timeout(30_000)
        .sendBuffer(Buffer.buffer(batch.body())).onComplete(ar -> {
          if (ar.failed()) {
            unreachable.incrementAndGet();
            vertx.setTimer(UNREACHABLE_PAUSE_MS, t -> send(batch));
            return;
          }
          HttpResponse<Buffer> r = ar.result();
          if (r.statusCode() == 200) {
            acceptedMessages.addAndGet(SoakTraffic.BATCH);
            done();
          } else if (r.statusCode() == 429 || r.statusCode() == 503) {
            backPressure.incrementAndGet();
            vertx.setTimer(retryAfterMillis(r), t -> send(batch));
          } else {
            if (refused.incrementAndGet() == 1) {
              firstRefusal = r.statusCode() + " " + r.bodyAsString();
            }
            refusedBatches.set((int) batch.index());
            done();
          }
        });
  }

  private static long retryAfterMillis(HttpResponse<Buffer> r) {
    try {
      return Math.max(100, Long.parseLong(r.getHeader("Retry-After").trim()) * 1000);
    } catch (RuntimeException e) {
      return 1000;
    }
  }

  private void done() {
    inFlight--;
    maybeStopped();
    dispatch();
  }

  private void maybeStopped() {
    if (stopped != null && inFlight == 0) {
      stopped.complete(null);
    }
  }
}

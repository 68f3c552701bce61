package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.mock.NodeClient;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment's Node library through a proxy that cuts off the first answer after the relay accepted
 * the batch: the library sends the batch again, and the window keeps it out of the log.
 */
class DedupNodeRetryTest {
  @TempDir
  Path dir;

  @Test
  void aBatchWhoseAnswerWasCutOffAndRetriedByTheNodeLibraryIsAppendedOnce() {
    try (RelayFixture fx = new RelayFixture(dir,
        DedupWindowTest.config(dir, "http://127.0.0.1:1", ""))) {
      fx.startIntakeOnly();
      HttpClient upstream = fx.vertx.createHttpClient();
      AtomicInteger batches = new AtomicInteger();
      HttpServer proxy = RelayFixture.await(fx.vertx.createHttpServer().requestHandler(req ->
          req.body().onSuccess(body -> {
            boolean cut = req.path().endsWith("/batch") && batches.incrementAndGet() == 1;
            RequestOptions to = new RequestOptions().setMethod(req.method()).setHost("127.0.0.1")
                .setPort(fx.relay.port()).setURI(req.uri());
            req.headers().forEach(h -> {
              if (!h.getKey().equalsIgnoreCase("host") && !h.getKey().equalsIgnoreCase("content-length")) {
                to.putHeader(h.getKey(), h.getValue());
              }
            });
            upstream.request(to).compose(r -> r.send(body).compose(resp -> resp.body()
                .map(b -> { 
                  if (cut) {
                    req.connection().close(); // the relay took it; the client never hears so
                  } else {
                    req.response().setStatusCode(resp.statusCode())
                        .putHeader("Content-Type", "application/json").end(b);
                  }
                  return null;
                })));
          })).listen(0, "127.0.0.1"));

      NodeClient.Result r = NodeClient.send("http://127.0.0.1:" + proxy.actualPort(), "dedup-key",
          Duration.ofSeconds(120));

      assertThat(r.succeeded()).as(r.output()).isTrue();
      assertThat(batches.get()).as("the library retried the cut-off batch").isGreaterThan(1);
      assertThat(fx.logged()).hasSize(6);
      double repeats = DedupWindowTest.duplicates(fx, "track") + DedupWindowTest.duplicates(fx, "identify");
      assertThat(repeats).isPositive();
      System.out.printf("node retry: %d batch requests, %d messages in the log%n", batches.get(),
          fx.logged().size());
    }
  }
}

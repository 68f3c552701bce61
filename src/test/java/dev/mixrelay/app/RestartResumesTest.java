package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay is killed mid-stream (its Vert.x instance closed, nothing stopped gracefully) and
 * started again on the same storage.dir: every accepted message comes out exactly once before it
 * is acknowledged — none lost, none that was already acknowledged sent again.
 */
class RestartResumesTest {
  @TempDir
  Path dir;

  @Test
  void aKilledRelayResumesFromTheAcknowledgedOffset() throws Exception {
    var config = RelayFixture.baseYaml(dir, "", "http://127.0.0.1:1");
    int total = 1000;
    Stalling first = new Stalling(400);
    Vertx vertx1 = Vertx.vertx();
    Relay relay1 = RelayFixture.await(Relay.start(vertx1, config, Clock.systemUTC(), r -> first, true));
    try (RelayFixture poster = new RelayFixture(dir, config)) {
      poster.relay = relay1;
      for (int b = 0; b < total / 100; b++) {
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 100; i++) {
          int n = b * 100 + i;
          batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u" + n % 7
              + "\",\"event\":\"E" + n + "\",\"messageId\":\"m" + n + "\"}");
        }
        assertThat(poster.post("/v1/batch", batch.append("]}").toString(),
            Map.of("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY))).statusCode()).isEqualTo(200);
      }
      try {
        waitUntil(vertx1, () -> relay1.log().stats().acknowledgedOffset() >= 400);
      } catch (Exception e) {
        throw new AssertionError("acked " + relay1.log().stats() + " completed " + first.completed.size()
            + " " + relay1.engine().diagnostics(), e);
      }
      waitUntil(vertx1, () -> first.stalled.size() > 0);
      poster.relay = null;
    }
    long ackedBeforeKill = relay1.log().stats().acknowledgedOffset();
    // kill: no relay.stop(), the event loops just go away
    RelayFixture.await(vertx1.close());

    Stalling second = new Stalling(Integer.MAX_VALUE);
    Vertx vertx2 = Vertx.vertx();
    Relay relay2 = RelayFixture.await(Relay.start(vertx2, config, Clock.systemUTC(), r -> second, true));
    waitUntil(vertx2, () -> relay2.log().stats().acknowledgedOffset() == total);

    List<String> delivered = new ArrayList<>(first.completedEvents());
    delivered.addAll(second.completedEvents());
    Set<String> unique = new HashSet<>(delivered);
    assertThat(unique).hasSize(total);
    assertThat(delivered).as("no message delivered and acknowledged twice").hasSize(total);
    assertThat(second.completedEvents()).hasSize((int) (total - ackedBeforeKill));
    RelayFixture.await(relay2.stop(Duration.ofSeconds(5)));
    RelayFixture.await(vertx2.close());
  }

  private static void waitUntil(Vertx vertx, BooleanSupplier condition) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long id = vertx.setPeriodic(20, t -> {
      if (condition.getAsBoolean()) {
        done.complete(null);
      }
    });
    try {
      done.get(30, TimeUnit.SECONDS);
    } finally {
      vertx.cancelTimer(id);
    }
  }

  /** Delivers the first {@code limit} sends at once and leaves the rest in flight forever. */
  private static final class Stalling implements Delivery {
    final int limit;
    final List<String> completed = new CopyOnWriteArrayList<>();
    final List<Promise<Void>> stalled = new CopyOnWriteArrayList<>();

    Stalling(int limit) {
      this.limit = limit;
    }

    @Override
    public synchronized Future<Void> send(DestinationConfig destination, List<MixpanelRecord> records) {
      if (completed.size() < limit) {
        records.forEach(r -> completed.add(r.eventName()));
        return Future.succeededFuture();
      }
      Promise<Void> p = Promise.promise();
      stalled.add(p);
      return p.future();
    }

    List<String> completedEvents() {
      return completed;
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

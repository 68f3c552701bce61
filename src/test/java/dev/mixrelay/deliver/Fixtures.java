package dev.mixrelay.deliver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DeliveryConfig;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.DestinationConfig.ServiceAccountConfig;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Records, destinations, a recording sink and listener, and blocking waits for the tests. */
final class Fixtures {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Fixtures() {}

  static DestinationConfig destination(String baseUrl, DeliveryConfig delivery) {
    return new DestinationConfig("main", "tok", null, new ServiceAccountConfig("sa.user", "s3cr3t"),
        "1234", null, baseUrl, null, null, delivery);
  }

  /** Short waits so that fault tests stay fast. */
  static DeliveryConfig fast(int maxBatchRecords, Duration linger) {
    return new DeliveryConfig(maxBatchRecords, null, linger, 16, Duration.ofMillis(500),
        Duration.ofMillis(20), Duration.ofMillis(200));
  }

  static MixpanelRecord event(int i) {
    ObjectNode props = F.objectNode().put("time", 1_718_000_000_000L + i)
        .put("distinct_id", "user-" + (i % 97)).put("$insert_id", insertId(i)).put("n", i);
    return new MixpanelRecord(Endpoint.IMPORT, F.objectNode().put("event", "Order " + (i % 5))
        .set("properties", props));
  }

  static String insertId(int i) {
    return String.format("00000000-0000-5000-8000-%012d", i);
  }

  static MixpanelRecord engage(int i) {
    ObjectNode body = F.objectNode().put("$token", "tok").put("$distinct_id", "user-" + i);
    body.set("$set", F.objectNode().put("plan", "pro").put("n", i));
    return new MixpanelRecord(Endpoint.ENGAGE, body);
  }

  static MixpanelRecord group(int i) {
    ObjectNode body = F.objectNode().put("$token", "tok").put("$group_key", "company_id")
        .put("$group_id", "c-" + i);
    body.set("$set", F.objectNode().put("employees", i));
    return new MixpanelRecord(Endpoint.GROUPS, body);
  }

  static List<MixpanelRecord> events(int from, int to) {
    List<MixpanelRecord> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(event(i));
    }
    return out;
  }

  static List<String> insertIds(List<JsonNode> records) {
    return records.stream().map(r -> r.path("properties").path("$insert_id").asText()).toList();
  }

  static <T> T await(Future<T> future, Duration timeout) throws Exception {
    return future.toCompletionStage().toCompletableFuture()
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits on a Vert.x timer (tests never sleep a thread). */
  static void pause(Vertx vertx, Duration d) throws Exception {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(Math.max(1, d.toMillis()), id -> p.complete());
    await(p.future(), d.plusSeconds(5));
  }

  /** Waits on Vert.x timers until the condition holds. */
  static void eventually(Vertx vertx, Duration timeout, java.util.function.BooleanSupplier ok)
      throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + timeout);
      }
      pause(vertx, Duration.ofMillis(20));
    }
  }

  /** A sink keeping dead letters in memory; can be made to fail. */
  static final class MemorySink implements DeadLetterSink {
    final List<DeadLetter> letters = new CopyOnWriteArrayList<>();
    volatile int failuresLeft;

    @Override
    public Future<Void> add(List<DeadLetter> batch) {
      if (failuresLeft > 0) {
        failuresLeft--;
        return Future.failedFuture("disk full");
      }
      letters.addAll(batch);
      return Future.succeededFuture();
    }
  }

  /** A listener counting what it is told. */
  static final class Counting implements DeliveryListener {
    final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    final List<Duration> retryAfter429 = new CopyOnWriteArrayList<>();
    final List<String> breakerStates = new CopyOnWriteArrayList<>();
    final List<Boolean> readiness = new CopyOnWriteArrayList<>();

    int count(String key) {
      AtomicInteger c = counts.get(key);
      return c == null ? 0 : c.get();
    }

    private void inc(String key) {
      counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void requestCompleted(String destination, Endpoint endpoint, int status, int records,
        Duration latency) {
      inc("request." + endpoint.name() + "." + status);
      inc("records." + endpoint.name() + "." + status);
      counts.computeIfAbsent("recordsSent." + endpoint.name(), k -> new AtomicInteger())
          .addAndGet(records);
    }

    @Override
    public void retryScheduled(String destination, Endpoint endpoint, String cause,
        Duration delay) {
      inc("retry." + cause);
      if (cause.equals("429")) {
        retryAfter429.add(delay);
      }
    }

    @Override
    public void batchSplit(String destination, Endpoint endpoint) {
      inc("split");
    }

    @Override
    public void deadLettered(String destination, Endpoint endpoint, int records) {
      counts.computeIfAbsent("dead", k -> new AtomicInteger()).addAndGet(records);
    }

    @Override
    public void breakerStateChanged(String destination, String state) {
      breakerStates.add(state);
    }

    @Override
    public void readinessChanged(String destination, boolean ready) {
      readiness.add(ready);
    }
  }
}

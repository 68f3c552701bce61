package dev.mixrelay.app;

import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.log.StoredMessage;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Starts a real relay on a loopback port with a temporary data directory, for tests. */
final class RelayFixture implements AutoCloseable {
  static final String WRITE_KEY = "test-write-key";
  static final String HOOK_KEY = "hook-write-key";
  static final String HOOK_SECRET = "hook-shared-secret";

  final Vertx vertx;
  final Path dir;
  final RelayConfig config;
  final WebClient client;
  Relay relay;

  RelayFixture(Path dir, String extraYaml) {
    this(dir, baseYaml(dir, extraYaml, "http://127.0.0.1:1"));
  }

  RelayFixture(Path dir, RelayConfig config) {
    this.vertx = Vertx.vertx();
    this.dir = dir;
    this.config = config;
    this.client = WebClient.create(vertx);
  }

  static RelayConfig baseYaml(Path dir, String extraYaml, String apiHost) {
    String yaml = """
        server: { host: 127.0.0.1, port: 0 }
        storage: { dir: "%s", fsync: batch }
        sources:
          - { writeKey: %s, destination: main }
          - { writeKey: %s, destination: main, webhookSecret: %s }
        destinations:
          main:
            token: test-token
            apiSecret: test-api-secret
            apiHost: "%s"
        %s
        """.formatted(dir.toString().replace("\\", "/"), WRITE_KEY, HOOK_KEY, HOOK_SECRET, apiHost,
        extraYaml == null ? "" : extraYaml);
    return ConfigLoader.parse(yaml, Map.of(), "test");
  }

  RelayFixture startIntakeOnly() {
    relay = await(Relay.start(vertx, config, Clock.systemUTC(), r -> new RecordingDelivery(), false));
    return this;
  }

  RelayFixture start(Function<Relay, Delivery> delivery) {
    relay = await(Relay.start(vertx, config, Clock.systemUTC(), delivery, true));
    return this;
  }

  HttpResponse<Buffer> post(String path, String body, Map<String, String> headers) {
    return post(path, Buffer.buffer(body), headers);
  }

  HttpResponse<Buffer> post(String path, Buffer body, Map<String, String> headers) {
    var req = client.post(relay.port(), "127.0.0.1", path);
    MultiMap h = req.headers();
    h.set("Content-Type", "application/json");
    headers.forEach(h::set);
    return await(req.sendBuffer(body));
  }

  HttpResponse<Buffer> get(String path) {
    return await(client.get(relay.port(), "127.0.0.1", path).send());
  }

  /** Everything in the log after offset 0. */
  List<StoredMessage> logged() {
    return await(relay.log().read(0, 100_000));
  }

  static String basic(String user) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":").getBytes());
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }

  /** Waits (without sleeping the test thread in a loop) until the condition holds, at most 60 s. */
  void waitUntil(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> describe) {
    waitUntil(condition, describe, 60);
  }

  /** As {@link #waitUntil(java.util.function.BooleanSupplier, java.util.function.Supplier)}. */
  void waitUntil(java.util.function.BooleanSupplier condition,
      java.util.function.Supplier<String> describe, int seconds) {
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    long id = vertx.setPeriodic(25, t -> {
      if (condition.getAsBoolean()) {
        done.complete(null);
      }
    });
    try {
      done.get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("condition not met within " + seconds + " s: " + describe.get(), e);
    } finally {
      vertx.cancelTimer(id);
    }
  }

  void stopRelay() {
    if (relay != null) {
      await(relay.stop(Duration.ofSeconds(5)));
      relay = null;
    }
  }

  @Override
  public void close() {
    try {
      stopRelay();
    } finally {
      await(vertx.close());
    }
  }

  /** Records what it is asked to send and reports every record delivered at once. */
  static final class RecordingDelivery implements Delivery {
    final List<MixpanelRecord> records = new CopyOnWriteArrayList<>();

    @Override
    public Future<Void> send(DestinationConfig destination, List<MixpanelRecord> batch) {
      records.addAll(batch);
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

    List<MixpanelRecord> snapshot() {
      return new ArrayList<>(records);
    }
  }
}

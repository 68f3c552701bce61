package dev.mixrelay.cli;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.config.StorageConfig;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.deliver.DeliveryListener;
import dev.mixrelay.embedded.DeadLetterReplay;
import dev.mixrelay.log.DeadLetterRow;
import dev.mixrelay.log.LogSnapshot;
import dev.mixrelay.log.SqliteIntakeLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dead-letters list|replay [--destination NAME] [--config PATH]}: the dead-letter store
 * from the command line, on the relay's own data directory. {@code list} reads it read-only, so it
 * works while a relay runs; {@code replay} writes, so it needs the relay stopped.
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {"List or replay the dead letters of storage.dir.",
        "list works while a relay runs on the same storage; replay needs it stopped (while it"
            + " runs, use its admin API: POST /admin/dead-letters/replay)."})
final class DeadLettersCommand implements dev.mixrelay.cli.Command {

  enum Action { list, replay }

  @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION", defaultValue = "list",
      description = "list (default) or replay")
  Action action = Action.list;

  @Mixin
  ConfigOption config = new ConfigOption();

  @Option(names = {"-d", "--destination"}, paramLabel = "NAME",
      description = "only this destination's dead letters")
  String destination;

  @Override
  public Integer call() throws Exception {
    RelayConfig config = this.config.load();
    if (config == null) {
      return 2;
    }
    if (destination != null && !config.destinations().containsKey(destination)) {
      System.err.println("mixrelay: --destination " + destination + " is not in the configuration"
          + " (its destinations: " + String.join(", ", config.destinations().keySet()) + ")");
      return 2;
    }
    if (config.engine() == RelayConfig.Engine.kafka) {
      System.err.println("mixrelay: with engine: kafka dead letters are records on "
          + config.kafka().deadLetterTopic() + "; read them with a Kafka consumer");
      return 2;
    }
    Path dir = Path.of(config.storage().dir());
    return action == Action.list ? list(dir) : replay(config, dir);
  }

  private int list(Path dir) {
    try (LogSnapshot log = LogSnapshot.open(dir)) {
      List<DeadLetterRow> rows = log.deadLetters(destination, 0, Integer.MAX_VALUE);
      for (DeadLetterRow r : rows) {
        System.out.println(new JsonObject().put("id", r.id()).put("destination", r.destination())
            .put("endpoint", r.endpoint()).put("reason", r.reason())
            .put("createdAt", r.createdAtMillis()).put("record", r.record()).encode());
      }
      System.err.println(rows.size() + " dead letter(s)");
      return 0;
    }
  }

  private int replay(RelayConfig config, Path dir) throws Exception {
    for (DestinationConfig d : config.destinations().values()) {
      if (DestinationConfig.EMBEDDED_MOCK.equals(d.apiHost())) {
        System.err.println("mixrelay: destination " + d.name() + " sends to the embedded mock; replay"
            + " dead letters through the running relay's admin API instead");
        return 2;
      }
    }
    if (java.nio.file.Files.exists(dir.resolve("mixrelay.db"))) {
      try (LogSnapshot snapshot = LogSnapshot.open(dir)) {
        if (snapshot.inUse()) {
          System.err.println("mixrelay: dead-letters replay changes the log, and a relay is running"
              + " on " + dir + ": stop it first, or replay through its admin API (POST"
              + " /admin/dead-letters/replay)");
          return 1;
        }
      }
    }
    Vertx vertx = Vertx.vertx();
    StorageConfig storage = config.storage();
    SqliteIntakeLog log;
    try {
      log = SqliteIntakeLog.open(vertx, Clock.systemUTC(), new SqliteIntakeLog.Options(dir, true,
          storage.maxLogBytes(), 0));
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
    try {
      Delivery delivery = Delivery.create(vertx, DeadLetterReplay.sinkInto(log),
          DeliveryListener.NOOP, Clock.systemUTC());
      JsonObject request = new JsonObject();
      if (destination != null) {
        request.put("destination", destination);
      }
      Future<JsonObject> done = vertx.getOrCreateContext().<Future<JsonObject>>executeBlocking(() ->
          new DeadLetterReplay(log, config, delivery).replay(request)).compose(f -> f);
      JsonObject result = done.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
      delivery.close(Duration.ofSeconds(10)).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      System.out.println(result.encode());
      return 0;
    } finally {
      log.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close();
    }
  }
}

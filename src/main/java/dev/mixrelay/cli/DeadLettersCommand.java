package dev.mixrelay.cli;

import dev.mixrelay.embedded.DeadLetterReplay;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.config.StorageConfig;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.deliver.DeliveryListener;
import dev.mixrelay.log.SqliteIntakeLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code dead-letters list|replay [--destination NAME] [--config PATH]}: the dead-letter store
 * from the command line, on the relay's own data directory.
 */
final class DeadLettersCommand implements Command {

  @Override
  public String name() {
    return "dead-letters";
  }

  @Override
  public String summary() {
    return "list or replay dead letters: dead-letters list|replay [--destination NAME] [--config PATH]";
  }

  @Override
  public int run(List<String> args) throws Exception {
    String action = args.isEmpty() || args.get(0).startsWith("-") ? "list" : args.get(0);
    if (!action.equals("list") && !action.equals("replay")) {
      System.err.println("mixrelay: dead-letters takes list or replay, not '" + action + "'");
      return 2;
    }
    RelayConfig config = RunCommand.loadConfig(args);
    if (config == null) {
      return 2;
    }
    String destination = Options.value(args, "--destination", null);
    if (destination != null && !config.destinations().containsKey(destination)) {
      System.err.println("mixrelay: destination '" + destination + "' is not in the configuration");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    StorageConfig storage = config.storage();
    SqliteIntakeLog log = SqliteIntakeLog.open(vertx, Clock.systemUTC(), new SqliteIntakeLog.Options(
        Path.of(storage.dir()), true, storage.maxLogBytes(), 0));
    try {
      if (action.equals("list")) {
        JsonObject page = new DeadLetterReplay(log, config, null).list(destination, 0, 10_000)
            .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        page.getJsonArray("deadLetters").forEach(o -> System.out.println(((JsonObject) o).encode()));
        System.err.println(page.getJsonArray("deadLetters").size() + " dead letter(s)");
        return 0;
      }
      for (DestinationConfig d : config.destinations().values()) {
        if (DestinationConfig.EMBEDDED_MOCK.equals(d.apiHost())) {
          System.err.println("mixrelay: destination " + d.name() + " sends to the embedded mock; replay "
              + "dead letters through the running relay's admin API instead");
          return 2;
        }
      }
      Delivery delivery = Delivery.create(vertx, DeadLetterReplay.sinkInto(log), DeliveryListener.NOOP,
          Clock.systemUTC());
      JsonObject request = new JsonObject();
      if (destination != null) {
        request.put("destination", destination);
      }
      Future<JsonObject> done = vertx.getOrCreateContext().<Future<JsonObject>>executeBlocking(() ->
          new DeadLetterReplay(log, config, delivery).replay(request)).compose(f -> f);
      JsonObject result = done.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
      delivery.close(Duration.ofSeconds(10)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.out.println(result.encode());
      return 0;
    } finally {
      log.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close();
    }
  }
}

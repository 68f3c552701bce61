package dev.mixrelay.cli;

import dev.mixrelay.app.Relay;

import dev.mixrelay.config.ConfigException;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code run}: starts the relay on a config file and runs until SIGTERM / Ctrl-C. */
final class RunCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
  private static final Duration SHUTDOWN_DEADLINE = Duration.ofSeconds(20);

  @Override
  public String name() {
    return "run";
  }

  @Override
  public String summary() {
    return "start the relay (--config PATH, default config/mixrelay.yaml)";
  }

  @Override
  public int run(List<String> args) throws Exception {
    RelayConfig config = loadConfig(args);
    if (config == null) {
      return 2;
    }
    Logging.configure(config.logging());
    LOG.info("starting with {}", EffectiveConfig.describe(config));
    Vertx vertx = Vertx.vertx();
    Relay relay;
    try {
      relay = Relay.start(vertx, config, Clock.systemUTC())
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("mixrelay could not start: {}", rootMessage(e));
      vertx.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping: intake closed, flushing for up to {}s", SHUTDOWN_DEADLINE.toSeconds());
      try {
        relay.stop(SHUTDOWN_DEADLINE).toCompletionStage().toCompletableFuture()
            .get(SHUTDOWN_DEADLINE.toSeconds() + 10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        LOG.info("stopped");
      } catch (Exception e) {
        LOG.warn("shutdown did not finish cleanly: {}; undelivered messages stay in the log", rootMessage(e));
      }
      stopped.countDown();
    }, "mixrelay-shutdown"));
    stopped.await();
    return 0;
  }

  /** Loads the config named by --config, printing one clear line per problem; null when invalid. */
  static RelayConfig loadConfig(List<String> args) {
    Path path = Path.of(Options.value(args, "--config", "config/mixrelay.yaml"));
    try {
      return ConfigLoader.load(path, System.getenv());
    } catch (ConfigException e) {
      System.err.println("mixrelay: invalid configuration in " + path + ":");
      e.problems().forEach(p -> System.err.println("  - " + p));
      return null;
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}

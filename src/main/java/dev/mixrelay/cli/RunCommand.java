package dev.mixrelay.cli;

import dev.mixrelay.app.Relay;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.RelayConfig;
import io.vertx.core.Vertx;
import java.net.BindException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code run}: starts the relay on a config file and runs until SIGTERM / Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"Start the relay and run until SIGTERM or Ctrl-C.",
        "On SIGTERM intake stops, the pipeline and delivery flush, and the process ends within"
            + " server.shutdownTimeout (default 20s); what is not delivered stays in the log."})
final class RunCommand implements dev.mixrelay.cli.Command {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Mixin
  ConfigOption config = new ConfigOption();

  @Override
  public Integer call() throws Exception {
    RelayConfig config = this.config.load();
    if (config == null) {
      return 2;
    }
    Logging.configure(config.logging());
    LOG.info("starting with {}", EffectiveConfig.describe(config));
    warnAboutTheEmbeddedMock(config, LOG);
    Vertx vertx = Vertx.vertx();
    Relay relay;
    try {
      relay = Relay.start(vertx, config, Clock.systemUTC())
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("mixrelay could not start: {}", startFailure(e, config));
      vertx.close();
      return 1;
    }
    Duration deadline = config.server().shutdownTimeout();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop(relay, vertx, deadline);
      stopped.countDown();
    }, "mixrelay-shutdown"));
    stopped.await();
    return 0;
  }

  /** Stops the relay and Vert.x within {@code deadline} in all; never waits longer. */
  static void stop(Relay relay, Vertx vertx, Duration deadline) {
    long t0 = System.nanoTime();
    LOG.info("stopping: intake closed, flushing; the process ends within {}s (server.shutdownTimeout)",
        deadline.toSeconds());
    Duration forRelay = deadline.minus(min(Duration.ofSeconds(1), deadline.dividedBy(10)));
    try {
      relay.stop(forRelay).toCompletionStage().toCompletableFuture()
          .get(forRelay.toMillis(), TimeUnit.MILLISECONDS);
      long left = deadline.toMillis() - (System.nanoTime() - t0) / 1_000_000;
      vertx.close().toCompletionStage().toCompletableFuture()
          .get(Math.max(1, left), TimeUnit.MILLISECONDS);
      LOG.info("stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warn("shutdown reached server.shutdownTimeout ({}s) before delivery finished; what was not"
          + " delivered stays in the log and is sent after the next start", deadline.toSeconds());
    } catch (Exception e) {
      LOG.warn("shutdown did not finish cleanly: {}; undelivered messages stay in the log",
          rootMessage(e));
    }
  }

  /** One WARN when a destination delivers into the mock inside this process. */
  static void warnAboutTheEmbeddedMock(RelayConfig config, Logger log) {
    for (DestinationConfig d : config.destinations().values()) {
      if (DestinationConfig.EMBEDDED_MOCK.equals(d.apiHost())) {
        log.warn("destination {} delivers to the embedded mock Mixpanel (apiHost: embedded-mock) at"
            + " http://{}:{}: what it receives is gone when this process stops; set apiHost (or"
            + " remove it for real Mixpanel) to keep it", d.name(), config.mock().host(),
            config.mock().port());
      }
    }
  }

  /** The cause of a failed start in an operator's words (a taken port is named). */
  static String startFailure(Throwable e, RelayConfig config) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException || (t.getMessage() != null
          && t.getMessage().contains("Address already in use"))) {
        return "a port is already in use: intake wants " + config.server().host() + ":"
            + config.server().port() + embeddedMockPort(config) + " (server.port"
            + (embeddedMockPort(config).isEmpty() ? "" : ", mock.port")
            + "); stop what listens there or choose another port";
      }
    }
    return rootMessage(e);
  }

  private static String embeddedMockPort(RelayConfig config) {
    boolean mock = config.destinations().values().stream()
        .anyMatch(d -> DestinationConfig.EMBEDDED_MOCK.equals(d.apiHost()));
    return mock ? ", the embedded mock " + config.mock().host() + ":" + config.mock().port() : "";
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}

package dev.mixrelay.app;

import dev.mixrelay.cluster.ClusterNode;
import dev.mixrelay.cluster.ClusterProcessor;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.config.StorageConfig;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.ingest.IntakeRoutes;
import dev.mixrelay.ingest.IntakeTap;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.log.IntakeAppender;
import dev.mixrelay.log.SqliteIntakeLog;
import dev.mixrelay.embedded.DeadLetterReplay;
import dev.mixrelay.imports.Polling;
import dev.mixrelay.embedded.EmbeddedEngine;
import dev.mixrelay.ops.AdminRoutes;
import dev.mixrelay.ops.UserLookup;
import dev.mixrelay.stage.StageTap;
import dev.mixrelay.ops.Debugger;
import dev.mixrelay.ops.DebuggerRoutes;
import dev.mixrelay.config.SourceConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.ops.HealthRoutes;
import dev.mixrelay.ops.Metrics;
import io.vertx.core.json.JsonObject;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.identity.IdentityLinks;
import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.mock.MockMixpanel;
import dev.mixrelay.translate.Translator;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wiring of one running relay: the intake log, the embedded engine with delivery, the HTTP
 * server (intake, health, metrics, admin, debugger), started in that order (see {@link
 * #startAll}) and stopped in reverse. With {@code engine: kafka} it is one node of a cluster
 * instead ({@link ClusterNode}): no SQLite log and no in-process engine.
 */
public final class Relay {
  private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

  private final Vertx vertx;
  private RelayConfig config;
  private MockMixpanel mock;
  private final Clock clock;
  private final Function<Relay, Delivery> deliveryFactory;
  private final boolean runPipeline;
  private SqliteIntakeLog log;
  private Delivery delivery;
  private EmbeddedEngine engine;
  private Translator translator;
  private final SuperPropertyStore profiles = SuperPropertyStore.inMemory(1_000_000);
  /** Ids seen linked, for the admin API only (bounded: least used ids forgotten). */
  private final IdentityLinks identityLinks = IdentityLinks.inMemory(1_000_000, 16);
  private final Metrics metrics = new Metrics();
  private final List<HttpVerticle> servers = new ArrayList<>();
  private final List<String> deployments = new ArrayList<>();
  private final List<Long> timers = new ArrayList<>();
  private int port;
  /** engine: kafka only: the cluster node (topics, intake producer, processor). */
  private ClusterNode clusterNode;

  private Relay(Vertx vertx, RelayConfig config, Clock clock, Function<Relay, Delivery> deliveryFactory,
      boolean runPipeline) {
    this.vertx = vertx;
    this.config = config;
    this.clock = clock;
    this.deliveryFactory = deliveryFactory;
    this.runPipeline = runPipeline;
  }

  /** Starts a relay delivering to Mixpanel (or the mock its config names). */
  public static Future<Relay> start(Vertx vertx, RelayConfig config, Clock clock) {
    return start(vertx, config, clock, Relay::mixpanelDelivery, true);
  }

  /** The Mixpanel delivery whose dead letters go to this relay's log (wrapped by the demo). */
  public static Delivery mixpanelDelivery(Relay relay) {
    return Delivery.create(relay.vertx, DeadLetterReplay.sinkInto(relay.log),
        relay.metrics.delivery(), relay.clock);
  }

  /** Starts a relay; {@code deliveryFactory} builds delivery once the log is open. */
  public static Future<Relay> start(Vertx vertx, RelayConfig config, Clock clock,
      Function<Relay, Delivery> deliveryFactory) {
    return start(vertx, config, clock, deliveryFactory, true);
  }

  /** As {@link #start}, optionally without the pipeline (intake only: messages stay in the log). */
  public static Future<Relay> start(Vertx vertx, RelayConfig config, Clock clock,
      Function<Relay, Delivery> deliveryFactory, boolean runPipeline) {
    Relay relay = new Relay(vertx, config, clock, deliveryFactory, runPipeline);
    return relay.startAll().map(v -> relay);
  }

  /**
   * The start, in order: with {@code engine: kafka} a cluster node; else the embedded mock (when a
   * destination names it), the intake log, the translator, the embedded engine (restored from its
   * checkpoints), then HTTP, which opens intake last.
   */
  private Future<Void> startAll() {
    if (config.engine() == RelayConfig.Engine.kafka) {
      return startClusterNode();
    }
    return startEmbeddedMock()
        .compose(v -> openLog())
        .compose(v -> loadTranslator())
        .compose(v -> startEngine())
        .compose(v -> startHttp())
        .onSuccess(v -> LOG.info("mixrelay listening on http://{}:{} ({} sources, {} destinations,"
            + " log in {})", config.server().host(), port, config.sources().size(),
            config.destinations().size(), config.storage().dir()));
  }

  /** Opens the SQLite intake log (off the event loop). */
  private Future<Void> openLog() {
    StorageConfig storage = config.storage();
    return vertx.executeBlocking(() -> SqliteIntakeLog.open(vertx, clock,
        new SqliteIntakeLog.Options(Path.of(storage.dir()),
            storage.fsync() != StorageConfig.FsyncMode.off, storage.maxLogBytes(),
            storage.maxCommitDelay().toNanos() / 1000, config.dedup().window().toMillis(),
            config.dedup().maxIds(), config.dedupWindowMillisBySource()))).map(opened -> {
              log = opened;
              return null;
            });
  }

  /** Loads the user-agent patterns (about a second): not on the event loop. */
  private Future<Void> loadTranslator() {
    return vertx.executeBlocking(Translator::new).map(t -> {
      translator = t;
      return null;
    });
  }

  /** Delivery, then the embedded engine over the log, restored and reading unless intake-only. */
  private Future<Void> startEngine() {
    delivery = deliveryFactory.apply(this);
    engine = EmbeddedEngine.create(vertx, log, config, translator, profiles, identityLinks,
        delivery, metrics, metrics::sessions, clock);
    registerGauges();
    return runPipeline ? engine.start() : Future.succeededFuture();
  }

  // ---- engine: kafka ------------------------------------------------------------------------

  /**
   * One node of a cluster on Kafka ({@link ClusterNode}: topics, and by role the intake producer
   * and the processor), then its HTTP server. Every role serves /health, /ready and /metrics.
   * No SQLite log is opened and {@code storage.dir} is not used.
   */
  private Future<Void> startClusterNode() {
    boolean intake = config.role() != RelayConfig.Role.processor;
    return ClusterNode.start(vertx, config, clock, metrics, this::startEmbeddedMock)
        .compose(node -> {
          clusterNode = node;
          if (node.intakeLog() != null) {
            registerLogGauges(node.intakeLog());
          }
          return serve(clusterRoutes(intake));
        })
        .onSuccess(v -> LOG.info("mixrelay {} node listening on http://{}:{} (engine kafka,"
            + " brokers {}, intake topic {})", config.role(), config.server().host(), port,
            config.kafka().bootstrapServers(), config.kafka().intakeTopic()))
        .recover(e -> stopClusterNode().transform(ar -> Future.failedFuture(e)));
  }

  /** Health, readiness, metrics, and the Segment API unless the node only processes. */
  private Consumer<Router> clusterRoutes(boolean intake) {
    HealthRoutes health = new HealthRoutes(this::notReadyReasons);
    IntakeRoutes routes = intake
        ? new IntakeRoutes(config, clusterNode.intakeLog(), metrics.intake(), clock) : null;
    if (routes != null) {
      summariseRefusals(routes);
    }
    if (config.admin().enabled()) {
      LOG.warn("admin.token is set, but the admin API and the debugger are not served with"
          + " engine: kafka");
    }
    return router -> {
      health.mount(router);
      metrics.mount(router);
      if (routes != null) {
        routes.mount(router);
      }
    };
  }

  private List<String> clusterNotReadyReasons() {
    return clusterNode == null ? List.of() : clusterNode.notReadyReasons();
  }

  /** After HTTP stopped: the cluster node's parts, in reverse. */
  private Future<Void> stopClusterNode() {
    if (config.engine() != RelayConfig.Engine.kafka || clusterNode == null) {
      return Future.succeededFuture();
    }
    return clusterNode.stop();
  }

  /** The Kafka Streams processor of a processor node, or null. */
  public ClusterProcessor clusterProcessor() {
    return clusterNode == null ? null : clusterNode.processor();
  }

  /** Starts the mock Mixpanel in-process when a destination's apiHost is embedded-mock. */
  private Future<Void> startEmbeddedMock() {
    boolean wanted = config.destinations().values().stream()
        .anyMatch(d -> DestinationConfig.EMBEDDED_MOCK.equals(d.apiHost()));
    if (!wanted) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> MockMixpanel.builder().host(config.mock().host())
            .port(config.mock().port()).build().start())
        .map(started -> {
          mock = started;
          for (DestinationConfig d : config.destinations().values()) {
            if (DestinationConfig.EMBEDDED_MOCK.equals(d.apiHost())) {
              config = config.withDestination(d.withApiHost(started.baseUrl()));
            }
          }
          LOG.info("embedded mock Mixpanel at {} (query {}/__mixpanel/events)", started.baseUrl(),
              started.baseUrl());
          return null;
        });
  }

  /** The embedded mock Mixpanel, or null when no destination uses it. */
  public MockMixpanel mock() {
    return mock;
  }

  private Future<Void> startHttp() {
    HealthRoutes health = new HealthRoutes(this::notReadyReasons, this::destinationStates);
    AdminRoutes admin = config.admin().enabled() ? new AdminRoutes(config.admin().token(), adminActions()) : null;
    DebuggerRoutes debuggerPage = debuggerRoutes();
    IntakeRoutes intake = new IntakeRoutes(config, log, metrics.intake(), clock);
    tapIntake(intake);
    summariseRefusals(intake);
    return serve(router -> {
      health.mount(router);
      metrics.mount(router);
      intake.mount(router);
      if (admin != null) {
        admin.mount(router);
      }
      if (debuggerPage != null) {
        debuggerPage.mount(router);
      }
    });
  }

  /** The debugger of {@link #debuggerRoutes()}, or null. */
  private Debugger debugger;

  /**
   * Shows the debugger (when there is one) the messages intake refuses and the repeats the
   * messageId window drops (neither reaches the message stage's tap).
   */
  private void tapIntake(IntakeRoutes intake) {
    Debugger d = debugger;
    if (d == null) {
      return;
    }
    intake.tap(new IntakeTap() {
      @Override
      public boolean active() {
        return d.active();
      }

      @Override
      public void refused(String source, JsonNode message, String error) {
        d.refused(source, message, error);
      }

      @Override
      public void duplicate(String source, JsonNode message) {
        if (message instanceof ObjectNode o) {
          d.observed(source, "-", SegmentMessage.fromNormalized(o), "duplicate", List.of(),
              List.of());
        }
      }
    });
  }

  /** Every 10 s, logs intake's refusals of a minute that is over (see IntakeRoutes). */
  private void summariseRefusals(IntakeRoutes intake) {
    timers.add(vertx.setPeriodic(10_000, t -> intake.summariseRefusals()));
  }

  /** Deploys the HTTP servers, each mounting {@code routes}; sets {@link #port}. */
  private Future<Void> serve(Consumer<Router> routes) {
    // one server per event loop (up to the cores), deployed together so Vert.x shares the port
    // between them, a random one (port 0) included
    int instances = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    return vertx.deployVerticle(() -> {
      HttpVerticle v = new HttpVerticle(config.server(), routes, config.server().port());
      synchronized (servers) {
        servers.add(v);
      }
      return v;
    }, new DeploymentOptions().setInstances(instances)).map(id -> {
      deployments.add(id);
      port = servers.get(0).actualPort();
      return null;
    });
  }

  /**
   * The live debugger page (only with an admin token), fed by taps on the message stage (what each
   * message became) and on intake (what it refused).
   */
  private DebuggerRoutes debuggerRoutes() {
    if (!config.admin().enabled()) {
      return null;
    }
    Debugger debugger = new Debugger(clock::millis);
    this.debugger = debugger;
    engine.tap(new StageTap() {
      @Override
      public boolean active() {
        return debugger.active();
      }

      @Override
      public void observed(String source, String destination, SegmentMessage message, String outcome,
          List<MixpanelRecord> records, List<MixpanelRecord> sessionRecords) {
        debugger.observed(source, destination, message, outcome, records, sessionRecords);
      }
    });
    return new DebuggerRoutes(config.admin().token(), debugger,
        config.sources().stream().map(SourceConfig::name).toList());
  }

  private void registerGauges() {
    registerLogGauges(log);
    metrics.gauge("mixrelay_dedup_ids", "messageIds the de-duplication window holds",
        () -> log.dedupIds());
    metrics.gauge("mixrelay_dedup_forgotten_total",
        "messageIds forgotten before their window ended (dedup.maxIds reached)",
        () -> log.dedupForgotten());
    metrics.gauge("mixrelay_dedup_filter_bytes",
        "heap the de-duplication window's in-memory filters take", () -> log.dedupFilterBytes());
    for (String d : config.destinations().keySet()) {
      metrics.destination(d);
      metrics.gauge("mixrelay_sessions_open", "open sessions", () -> engine.openSessions(d), "destination", d);
      metrics.gauge("mixrelay_sessions_held_events", "events waiting on their user's timeline to"
          + " be placed (out of order within allowedLateness)", () -> engine.heldEvents(d),
          "destination", d);
      metrics.gauge("mixrelay_destination_ready", "1 while the destination accepts records",
          () -> delivery.ready(d) ? 1 : 0, "destination", d);
    }
  }

  private void registerLogGauges(IntakeAppender intakeLog) {
    metrics.gauge("mixrelay_intake_log_messages", "messages in the log not yet acknowledged",
        () -> intakeLog.stats().unackedMessages());
    metrics.gauge("mixrelay_intake_log_bytes", "bytes in the log not yet acknowledged",
        () -> intakeLog.stats().unackedBytes());
    metrics.gauge("mixrelay_intake_log_oldest_age_seconds", "age of the oldest unacknowledged message",
        () -> {
          long oldest = intakeLog.stats().oldestUnackedMillis();
          return oldest == 0 ? 0 : Math.max(0, clock.millis() - oldest) / 1000.0;
        });
    metrics.gauge("mixrelay_intake_back_pressure", "1 while intake refuses for a full log",
        () -> intakeLog.overCapacity() ? 1 : 0);
  }

  /** The relay's metrics registry. */
  public Metrics metrics() {
    return metrics;
  }

  private AdminRoutes.Actions adminActions() {
    DeadLetterReplay deadLetters = new DeadLetterReplay(log, config, delivery);
    UserLookup users = new UserLookup(config.destinations().keySet(), profiles, identityLinks,
        engine::openSessions);
    return new AdminRoutes.Actions() {
      @Override
      public JsonObject status() {
        var stats = log.stats();
        JsonObject dests = new JsonObject();
        config.destinations().keySet().forEach(d -> dests.put(d, new JsonObject()
            .put("ready", delivery.ready(d))
            .put("openSessions", engine == null ? 0 : engine.openSessions(d))));
        return new JsonObject().put("ready", notReadyReasons().isEmpty())
            .put("notReady", new io.vertx.core.json.JsonArray(notReadyReasons()))
            .put("log", new JsonObject().put("unackedMessages", stats.unackedMessages())
                .put("unackedBytes", stats.unackedBytes()).put("oldestUnackedMillis", stats.oldestUnackedMillis())
                .put("acknowledgedOffset", stats.acknowledgedOffset()).put("lastOffset", stats.lastOffset()))
            .put("destinations", dests);
      }

      @Override
      public Future<JsonObject> deadLetters(String destination, long afterId, int limit) {
        return deadLetters.list(destination, afterId, limit);
      }

      @Override
      public Future<JsonObject> replay(JsonObject request) {
        return deadLetters.replay(request);
      }

      @Override
      public Future<JsonObject> user(String id) {
        return users.lookup(id);
      }
    };
  }

  /** Each destination's delivery state, for /ready's body. */
  private JsonObject destinationStates() {
    JsonObject states = new JsonObject();
    config.destinations().keySet().forEach(d -> states.put(d, delivery == null
        ? new JsonObject().put("state", "starting") : HealthRoutes.describe(delivery.state(d))));
    return states;
  }

  /** Why intake does not accept now; empty when ready. */
  List<String> notReadyReasons() {
    if (config.engine() == RelayConfig.Engine.kafka) {
      return clusterNotReadyReasons();
    }
    List<String> reasons = new ArrayList<>();
    if (log == null || !log.writable()) {
      reasons.add("the intake log is not writable");
    } else if (log.overCapacity()) {
      reasons.add("the intake log is over storage.maxLogBytes");
    }
    if (delivery != null) {
      for (String d : config.destinations().keySet()) {
        if (!delivery.ready(d)) {
          reasons.add("destination " + d + " is not accepting records (check its credentials)");
        }
      }
    }
    return reasons;
  }

  /** The bound HTTP port. */
  public int port() {
    return port;
  }

  public RelayConfig config() {
    return config;
  }

  /** The embedded engine's intake log (null with engine: kafka). */
  public SqliteIntakeLog log() {
    return log;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Completes once every message the log holds is acknowledged (finished); embedded only. */
  public Future<Void> logFinished() {
    return Polling.until(vertx, () -> {
      var stats = log.stats();
      return stats.acknowledgedOffset() >= stats.lastOffset();
    }, 50);
  }

  /** The embedded engine (null with engine: kafka). */
  public EmbeddedEngine engine() {
    return engine;
  }

  /**
   * Graceful stop within {@code deadline} as a whole: intake stops accepting (in-flight requests
   * finish, at most a tenth of it), the pipeline finishes what it read and delivery flushes in what
   * is left but a reserve for closing the log. What is not delivered stays in the log for the next
   * start.
   */
  public Future<Void> stop(Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    Duration reserve = min(Duration.ofSeconds(2), deadline.dividedBy(10));
    Duration httpGrace = min(Duration.ofSeconds(5), deadline.dividedBy(10));
    Future<Void> http = Future.succeededFuture();
    for (HttpVerticle s : servers) {
      http = http.compose(v -> s.shutdown(httpGrace).recover(e -> Future.succeededFuture()));
    }
    return http
        .compose(v -> engine == null ? Future.<Void>succeededFuture()
            : engine.stop(left(end, reserve.multipliedBy(2))))
        .compose(v -> delivery == null ? Future.<Void>succeededFuture()
            : delivery.close(left(end, reserve)))
        .recover(e -> Future.succeededFuture())
        .compose(v -> undeployAll())
        .compose(v -> log == null ? Future.<Void>succeededFuture() : log.close())
        .compose(v -> stopClusterNode())
        .onComplete(ar -> {
          metrics.close();
          if (mock != null) {
            mock.stop();
          }
        });
  }

  private static Duration left(long endNanos, Duration reserve) {
    Duration d = Duration.ofNanos(endNanos - System.nanoTime()).minus(reserve);
    return d.isNegative() ? Duration.ofMillis(1) : d;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private Future<Void> undeployAll() {
    timers.forEach(vertx::cancelTimer);
    timers.clear();
    Future<Void> f = Future.succeededFuture();
    for (String id : deployments) {
      f = f.compose(v -> vertx.undeploy(id).recover(e -> Future.succeededFuture()));
    }
    deployments.clear();
    return f;
  }

}

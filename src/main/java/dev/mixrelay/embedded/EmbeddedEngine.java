package dev.mixrelay.embedded;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.identity.IdentityLinks;
import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.log.IntakeLog;
import dev.mixrelay.session.OpenSession;
import dev.mixrelay.session.SessionListener;
import dev.mixrelay.session.Sessionizer;
import dev.mixrelay.stage.MessageStage;
import dev.mixrelay.stage.StageListener;
import dev.mixrelay.stage.StageTap;
import dev.mixrelay.translate.Translator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The embedded engine: one process, the SQLite intake log. Its reader feeds every message to the
 * {@link MessageStage} in log order; progress is the log's acknowledged offset; session and
 * super-property state is checkpointed in the log (see {@link SessionCheckpoints}). Everything
 * runs on one Vert.x context.
 */
public final class EmbeddedEngine {
  /**
   * Messages read from the log but not yet finished: enough for 16 full requests to Mixpanel, and
   * a ceiling on the memory their records take while Mixpanel is slow or failing (about 2 KB each).
   */
  private static final int MAX_MESSAGES_IN_FLIGHT = 32_000;

  private final Vertx vertx;
  private final IntakeLog log;
  private final MessageStage stage;
  private final Pipeline pipeline;
  private final SessionCheckpoints checkpoints;
  private boolean started;

  private EmbeddedEngine(Vertx vertx, IntakeLog log, MessageStage stage, Pipeline pipeline,
      SessionCheckpoints checkpoints) {
    this.vertx = vertx;
    this.log = log;
    this.stage = stage;
    this.pipeline = pipeline;
    this.checkpoints = checkpoints;
  }

  /**
   * An engine on {@code log}, not yet started.
   *
   * @param links the ids seen linked, kept for the admin API (may be null)
   * @param sessionListeners each destination's session telemetry
   */
  public static EmbeddedEngine create(Vertx vertx, IntakeLog log, RelayConfig config,
      Translator translator, SuperPropertyStore profiles, IdentityLinks links, Delivery delivery,
      StageListener listener, Function<String, SessionListener> sessionListeners, Clock clock) {
    MessageStage stage = new MessageStage(config.destinations().values(), translator, profiles,
        links, (DestinationConfig d) -> Sessionizer.create(d.sessions(),
            d.settings().insertIdNamespace(), sessionListeners.apply(d.name())), listener);
    Pipeline pipeline = new Pipeline(vertx, log, log, log, config, stage, delivery, listener, clock,
        MAX_MESSAGES_IN_FLIGHT);
    SessionCheckpoints checkpoints = new SessionCheckpoints(vertx, log, config, stage, delivery,
        clock, profiles);
    return new EmbeddedEngine(vertx, log, stage, pipeline, checkpoints);
  }

  /**
   * Restores the checkpoints, then reads the log from the lowest offset any state still needs;
   * the messages up to the acknowledged offset are a replay for that state only.
   */
  public Future<Void> start() {
    return checkpoints.restore(log.stats().acknowledgedOffset()).map(from -> {
      pipeline.start(from);
      checkpoints.start(pipeline::finishedUpTo);
      started = true;
      return null;
    });
  }

  /**
   * Stops reading; waits (at most {@code deadline}) until what was read is finished, then saves a
   * final checkpoint when everything it reflects is delivered.
   */
  public Future<Void> stop(Duration deadline) {
    if (!started) {
      return Future.succeededFuture();
    }
    Promise<Void> read = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, deadline.toMillis()), t -> read.tryComplete());
    pipeline.stop().onComplete(ar -> {
      vertx.cancelTimer(timer);
      read.tryComplete();
    });
    return read.future().compose(v -> checkpoints.stop());
  }

  /**
   * The end of an import, once the log is finished: the sessions the imported history contains
   * and that cannot go on any more are closed and delivered (see {@link
   * MessageStage#onInputEnd}); completes when Mixpanel has them and a checkpoint reflecting them
   * is saved, so the next start does not open them again.
   */
  public Future<Void> closeSessionsAtInputEnd() {
    return pipeline.onPipelineContext(checkpoints::closeAtInputEnd).compose(f -> f)
        .compose(v -> pipeline.onPipelineContext(checkpoints::saveNow)).compose(f -> f);
  }

  /** Shows the live debugger what each message became (only while it has a viewer). */
  public void tap(StageTap tap) {
    stage.tap(tap);
  }

  /** The offset of the last message read from the log (read, not necessarily finished). */
  public long readUpTo() {
    return pipeline.readUpTo();
  }

  /** Events the sessionizer of a destination holds, as of the last tick (any thread). */
  public long heldEvents(String destination) {
    return checkpoints.heldEvents(destination);
  }

  /** Open sessions of a destination as of the last tick (any thread). */
  public long openSessions(String destination) {
    return checkpoints.openSessions(destination);
  }

  /** The open sessions of a destination kept under any of {@code keys}. */
  public Future<List<OpenSession>> openSessions(String destination, Collection<String> keys) {
    return pipeline.onPipelineContext(() -> checkpoints.openSessions(destination, keys));
  }

  /** The reader's progress, for failure messages of tests and logs. */
  public String diagnostics() {
    return pipeline.diagnostics();
  }
}

package dev.mixrelay.embedded;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.log.Checkpoint;
import dev.mixrelay.log.CheckpointStore;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.session.OpenSession;
import dev.mixrelay.session.Sessionizer;
import dev.mixrelay.stage.MessageStage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded engine's session state: restores the message stage's sessionizers (one per
 * destination) from checkpoints in the intake log, runs a one-second tick that closes idle
 * sessions on the wall clock, and saves checkpoints.
 *
 * <p>Checkpoint rule: a snapshot reflecting offsets up to X is saved only once every message up to
 * X is finished (so the session events emitted with them are delivered) and every session event the
 * tick emitted before the snapshot is delivered. The snapshot is written at once under
 * {@code staged:sessions:<destination>} (in parts, see {@link Checkpoint}) and renamed to
 * {@code sessions:<destination>} once the rule holds, so it is not held in memory meanwhile; a
 * staged one is never restored. After a crash, restoring it and replaying the log
 * after X re-emits exactly the sessions not yet delivered, with the same {@code $insert_id}s.
 * Everything runs on the pipeline's context.
 *
 * <p>Each session checkpoint has a twin, {@code profiles:<destination>}, with the same offset: the
 * destination's super properties as of the snapshot. Replaying after that offset merges the later
 * identify calls in again, in order, so the store ends as it was before the crash (a replayed
 * message may see a super property its own later identify set, never lose one).
 */
final class SessionCheckpoints {
  private static final Logger LOG = LoggerFactory.getLogger(SessionCheckpoints.class);
  static final String CHECKPOINT_PREFIX = "sessions:";
  static final String PROFILES_PREFIX = "profiles:";
  /** A session snapshot saved as soon as it is taken, promoted once the checkpoint rule holds. */
  static final String STAGED_PREFIX = "staged:sessions:";
  private static final long TICK_MS = 1000;
  private static final long CHECKPOINT_MS = 5000;
  /** Snapshots take at most this share of the pipeline's event loop (they grow with open sessions). */
  private static final long SNAPSHOT_BUDGET_FACTOR = 50;

  private final Vertx vertx;
  private final CheckpointStore log;
  private final MessageStage stage;
  private final Delivery delivery;
  private final Clock clock;
  private final Map<String, DestinationConfig> destinations;
  private final Map<String, Sessionizer> sessionizers = new LinkedHashMap<>();
  private final Set<Object> tickSends = new HashSet<>();
  private final Map<String, Long> openCounts = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Long> heldCounts = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final SuperPropertyStore profiles;
  /** The last super-property snapshot per destination and the store version it was taken at. */
  private final Map<String, byte[]> profileBytes = new HashMap<>();
  private final Map<String, Long> profileVersions = new HashMap<>();
  private LongSupplier finishedUpTo = () -> 0;
  private long tickTimer = -1;
  private long lastCheckpointAt;
  /** Written by the worker that wrote the last snapshot, read by the tick. */
  private volatile long checkpointEveryMs = CHECKPOINT_MS;

  /**
   * A snapshot saved under the staging name (not kept in memory: a few hundred thousand held
   * events make 100 MB), waiting until what it reflects is delivered; then promoted.
   */
  private static final class Pending {
    final long offset;
    final Future<Void> staged;
    final byte[] profiles;
    final Set<Object> waitingFor;
    /** Set once the promotion began; the entry leaves the map when it ends. */
    Future<Void> promoted;

    Pending(long offset, Future<Void> staged, byte[] profiles, Set<Object> waitingFor) {
      this.offset = offset;
      this.staged = staged;
      this.profiles = profiles;
      this.waitingFor = waitingFor;
    }
  }

  SessionCheckpoints(Vertx vertx, CheckpointStore log, RelayConfig config, MessageStage stage,
      Delivery delivery, Clock clock, SuperPropertyStore profiles) {
    this.vertx = vertx;
    this.profiles = profiles;
    this.log = log;
    this.stage = stage;
    this.delivery = delivery;
    this.clock = clock;
    this.destinations = config.destinations();
    for (String name : destinations.keySet()) {
      sessionizers.put(name, stage.sessionizer(name));
    }
  }

  /**
   * Restores every destination's checkpoint; completes with the offset the pipeline must read
   * after (the lowest checkpoint offset, or {@code acknowledged} when lower or none exists).
   */
  Future<Long> restore(long acknowledged) {
    List<Future<Checkpoint>> loads = new ArrayList<>();
    List<Future<Checkpoint>> profileLoads = new ArrayList<>();
    for (String name : sessionizers.keySet()) {
      loads.add(log.loadCheckpoint(CHECKPOINT_PREFIX + name));
      profileLoads.add(log.loadCheckpoint(PROFILES_PREFIX + name));
    }
    return Future.all(Future.all(loads), Future.all(profileLoads)).compose(all -> {
      long from = acknowledged;
      int i = 0;
      List<Future<Void>> initial = new ArrayList<>();
      for (Map.Entry<String, Sessionizer> e : sessionizers.entrySet()) {
        Checkpoint profileCp = profileLoads.get(i).result();
        Checkpoint cp = loads.get(i++).result();
        if (profileCp != null) {
          try {
            profiles.restore(e.getKey(), profileCp.state());
            from = Math.min(from, profileCp.offset());
          } catch (IllegalArgumentException bad) {
            LOG.warn("the super-property checkpoint of {} is unreadable; super properties start "
                + "empty: {}", e.getKey(), bad.getMessage());
          }
        }
        if (cp == null) {
          // an empty state at the acknowledged offset: from now on the log keeps every message a
          // session may still need, because it never deletes above the lowest checkpoint
          stage.sessionsAfter(e.getKey(), acknowledged);
          initial.add(log.saveCheckpoint(new Checkpoint(CHECKPOINT_PREFIX + e.getKey(), acknowledged,
              e.getValue().snapshotParts())));
          continue;
        }
        try {
          e.getValue().restore(cp.stream());
          stage.sessionsAfter(e.getKey(), cp.offset());
          from = Math.min(from, cp.offset());
        } catch (IllegalArgumentException bad) {
          LOG.warn("session checkpoint of {} does not match its current session settings; "
              + "sessions restart from the acknowledged offset: {}", e.getKey(), bad.getMessage());
          stage.sessionsAfter(e.getKey(), acknowledged);
        }
      }
      long start = from;
      return Future.all(initial).map(x -> start);
    });
  }

  /** Starts the wall-clock tick and checkpointing; call on the pipeline's context. */
  void start(LongSupplier finishedUpTo) {
    this.finishedUpTo = finishedUpTo;
    lastCheckpointAt = clock.millis();
    tickTimer = vertx.setPeriodic(TICK_MS, t -> tick());
  }

  private void tick() {
    long now = clock.millis();
    sessionizers.forEach((name, sz) -> {
      openCounts.put(name, sz.openSessions());
      heldCounts.put(name, (long) sz.heldEvents());
    });
    for (Map.Entry<String, List<MixpanelRecord>> e : stage.onTick(now).entrySet()) {
      List<MixpanelRecord> closed = e.getValue();
      if (!closed.isEmpty()) {
        Object token = new Object();
        tickSends.add(token);
        delivery.send(destinations.get(e.getKey()), closed).onComplete(ar -> {
          tickSends.remove(token);
          savePending();
        });
      }
    }
    if (now - lastCheckpointAt >= checkpointEveryMs) {
      lastCheckpointAt = now;
      for (Map.Entry<String, Sessionizer> e : sessionizers.entrySet()) {
        if (!pending.containsKey(e.getKey()) && e.getValue().snapshotOffset() >= 0) {
          stage(e.getKey(), e.getValue());
        }
      }
    }
    savePending();
  }

  /**
   * Takes a copy of a destination's state here (the only part that holds the pipeline's event
   * loop), writes it on a worker thread and saves it under the staging name. The next snapshot
   * waits for {@link #SNAPSHOT_BUDGET_FACTOR} times what this one cost, copy and writing together.
   */
  private void stage(String name, Sessionizer s) {
    long t0 = System.nanoTime();
    Sessionizer.Copy copy = s.snapshotCopy();
    long copyNanos = System.nanoTime() - t0;
    long copyMs = copyNanos / 1_000_000;
    if (copyMs >= 1000) {
      LOG.warn("the session snapshot copy of {} held the pipeline's event loop {} ms ({} events "
          + "held, {} open sessions)", name, copyMs, s.heldEvents(), s.openSessions());
    }
    Future<Void> staged = vertx.executeBlocking(() -> {
      long w0 = System.nanoTime();
      List<byte[]> parts = copy.parts();
      long tookMs = (copyNanos + System.nanoTime() - w0) / 1_000_000;
      checkpointEveryMs = Math.max(CHECKPOINT_MS, tookMs * SNAPSHOT_BUDGET_FACTOR);
      if (tookMs >= 1000) {
        LOG.info("the session snapshot of {} took {} ms ({} ms of it on the event loop); the "
            + "next in {} s", name, tookMs, copyMs, checkpointEveryMs / 1000);
      }
      return parts;
    }, false).compose(parts -> log.saveCheckpoint(new Checkpoint(STAGED_PREFIX + name,
        copy.offset(), parts)));
    pending.put(name, new Pending(copy.offset(), staged, profileSnapshot(name),
        new HashSet<>(tickSends)));
  }

  /**
   * The end of an import: sends the sessions the stage closes at {@code clock.millis()} (see
   * {@link MessageStage#onInputEnd}); completes when they are delivered. Call on the pipeline's
   * context once everything read is finished, then {@link #saveNow}.
   */
  Future<Void> closeAtInputEnd() {
    List<Future<Void>> sends = new ArrayList<>();
    for (Map.Entry<String, List<MixpanelRecord>> e
        : stage.onInputEnd(clock.millis()).entrySet()) {
      List<MixpanelRecord> closed = e.getValue();
      if (!closed.isEmpty()) {
        Object token = new Object();
        tickSends.add(token);
        sends.add(delivery.send(destinations.get(e.getKey()), closed).onComplete(ar -> {
          tickSends.remove(token);
          savePending();
        }));
      }
    }
    return Future.all(sends).mapEmpty();
  }

  /**
   * Saves every destination's state now, when everything it reflects is finished and no session
   * event of the tick is in flight (the checkpoint rule); completes when saved. Call on the
   * pipeline's context.
   */
  Future<Void> saveNow() {
    List<Future<Void>> saves = new ArrayList<>();
    long finished = finishedUpTo.getAsLong();
    if (tickSends.isEmpty()) {
      sessionizers.forEach((name, s) -> {
        if (s.snapshotOffset() >= 0 && s.snapshotOffset() <= finished) {
          long offset = s.snapshotOffset();
          List<byte[]> state = s.snapshotParts(); // now: what the checkpoint rule allowed
          byte[] profiles = profileSnapshot(name);
          saves.add(afterPromotion(pending.remove(name))
              .compose(v -> save(name, offset, state, profiles)));
        }
      });
    }
    return Future.all(saves).mapEmpty();
  }

  /**
   * Completes once a staged snapshot's promotion (if one began) ended, so that a newer state saved
   * after it is not replaced by it.
   */
  private static Future<Void> afterPromotion(Pending p) {
    return p == null || p.promoted == null ? Future.succeededFuture()
        : p.promoted.otherwiseEmpty();
  }

  private void savePending() {
    long finished = finishedUpTo.getAsLong();
    var it = pending.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      Pending p = e.getValue();
      if (p.promoted != null) {
        continue;
      }
      p.waitingFor.retainAll(tickSends);
      if (p.offset <= finished && p.waitingFor.isEmpty()) {
        String name = e.getKey();
        // super properties first, as save() does: a crash between only replays more
        p.promoted = p.staged
            .compose(v -> log.saveCheckpoint(new Checkpoint(PROFILES_PREFIX + name, p.offset,
                p.profiles)))
            .compose(v -> log.renameCheckpoint(STAGED_PREFIX + name, CHECKPOINT_PREFIX + name))
            .mapEmpty();
        p.promoted.onComplete(ar -> {
          pending.remove(name, p);
          if (ar.failed()) {
            LOG.warn("saving the session checkpoint of {} failed: {}", name,
                ar.cause().getMessage());
          }
        });
      }
    }
  }

  /**
   * Saves a destination's super properties, then its sessions, at one offset: the log keeps
   * every message above the lower of the two, so a crash between them only replays more.
   */
  private Future<Void> save(String destination, long offset, List<byte[]> sessions,
      byte[] profiles) {
    return log.saveCheckpoint(new Checkpoint(PROFILES_PREFIX + destination, offset, profiles))
        .compose(v -> log.saveCheckpoint(new Checkpoint(CHECKPOINT_PREFIX + destination, offset,
            sessions)));
  }

  /** The destination's super properties now, serialised again only when they changed. */
  private byte[] profileSnapshot(String destination) {
    long version = profiles.version(destination);
    byte[] bytes = profileBytes.get(destination);
    if (bytes == null || profileVersions.get(destination) != version) {
      bytes = profiles.snapshot(destination);
      profileBytes.put(destination, bytes);
      profileVersions.put(destination, version);
    }
    return bytes;
  }

  /** Stops the tick; on a graceful stop saves a final checkpoint once everything is delivered. */
  Future<Void> stop() {
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
      tickTimer = -1;
    }
    Map<String, Pending> was = new HashMap<>(pending);
    pending.clear();
    List<Future<Void>> saves = new ArrayList<>();
    if (tickSends.isEmpty()) {
      long finished = finishedUpTo.getAsLong();
      sessionizers.forEach((name, s) -> {
        if (s.snapshotOffset() >= 0 && s.snapshotOffset() <= finished) {
          long offset = s.snapshotOffset();
          List<byte[]> state = s.snapshotParts();
          byte[] profiles = profileSnapshot(name);
          saves.add(afterPromotion(was.get(name))
              .compose(v -> save(name, offset, state, profiles)));
        }
      });
    }
    return Future.join(saves).mapEmpty();
  }

  /**
   * The open sessions of a destination kept under any of {@code keys} (read only). Call on the
   * pipeline's context only: the sessionizers are confined there.
   */
  List<OpenSession> openSessions(String destination, java.util.Collection<String> keys) {
    Sessionizer s = sessionizers.get(destination);
    List<OpenSession> out = new ArrayList<>();
    if (s != null) {
      for (String key : new java.util.LinkedHashSet<>(keys)) {
        OpenSession open = s.openSession(key);
        if (open != null) {
          out.add(open);
        }
      }
    }
    return out;
  }

  /**
   * Open sessions of a destination as of the last tick (for status and metrics, read from any
   * thread; the sessionizer itself is confined to the pipeline's context).
   */
  /** Events a destination's sessionizer holds, as of the last tick (any thread). */
  long heldEvents(String destination) {
    return heldCounts.getOrDefault(destination, 0L);
  }

  long openSessions(String destination) {
    return openCounts.getOrDefault(destination, 0L);
  }
}

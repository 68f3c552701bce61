package dev.mixrelay.session;

import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.config.SessionConfig.Mode;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Sessionizes one destination's outgoing event stream and emits Session Start / Session End
 * {@code /import} records. Single-threaded (drive it from one event loop); no I/O, no clock: the
 * wall-clock time is passed in. The definition and the live-stream rules are in
 * {@code package-info.java}.
 *
 * <p>Contract: feed every translated record of every log message, in log order, with the
 * message's offset; call {@link #onTick} periodically. The state reflects every offset up to
 * {@link #snapshotOffset()}; {@link #restore} of a {@link #snapshot} followed by a replay of the
 * later offsets re-emits the same sessions with the same {@code $insert_id}s.
 *
 * <p>Split over tasks (one sessionizer per task, each owning some session keys): after every call,
 * send {@link #takeHandoffs} to the owners of their user keys, who {@link #adopt} them. The
 * protocol and its limits are in {@code package-info.java}.
 */
public final class Sessionizer {
  private static final Comparator<SessionEvent> BY_TIME =
      Comparator.comparingLong(SessionEvent::time).thenComparingLong(SessionEvent::seq);

  private final SessionRules rules;
  /** At most this many events wait for the watermark ({@code sessions.maxHeldEvents}). */
  private final int maxHeld;
  private final SessionListener listener;
  private final Interner interner = new Interner(1 << 16);
  private final SessionMachine machine;
  private final SessionRecords records;
  private final EventReader reader;
  private final StateCodec codec = new StateCodec(interner);
  private final Changes changes = new Changes();
  private final UserStore users;
  private final Links links;
  private final PriorityQueue<SessionEvent> pending = new PriorityQueue<>(BY_TIME);
  /** De-duplication keys of the held events, and of placed events not older than the watermark. */
  private final Set<String> heldKeys = new HashSet<>();
  private final LinkedHashMap<String, Long> placedKeys = new LinkedHashMap<>();
  private final Timers timers;
  private final String fingerprint;
  private final State st = new State();
  /** Whether a session key is this sessionizer's; every key unless split over tasks. */
  private final Predicate<String> owns;
  private final long carryWaitMillis;
  private final Handoffs carry;
  private final Placement placement;
  private final StateEntries entries;

  /** The scalar progress of the stream (kept together so a snapshot is one read). */
  static final class State {
    long lastOffset = -1;
    long seq;
    long maxTime = Long.MIN_VALUE;
    long watermark = Long.MIN_VALUE;
    long lastEventWall = Long.MIN_VALUE;
    /** The newest wall-clock time any call passed in. */
    long lastWall = Long.MIN_VALUE;
  }

  private Sessionizer(SessionConfig config, UUID namespace, SessionListener listener,
      Predicate<String> owns, long carryWaitMillis) {
    this.owns = owns;
    this.carryWaitMillis = carryWaitMillis;
    this.carry = new Handoffs(Math.max(10_000, config.maxUsersInMemory()), changes);
    this.rules = SessionRules.of(config);
    this.maxHeld = config.maxHeldEvents();
    this.listener = listener;
    this.machine = new SessionMachine(rules, new LocalDays(config.zone()), interner);
    this.links = new Links(4L * config.maxUsersInMemory(), changes);
    this.records = new SessionRecords(rules, namespace);
    this.reader = new EventReader(rules, interner);
    this.users = new UserStore(config.maxUsersInMemory(), codec, listener, changes);
    this.timers = new Timers(machine, users);
    this.placement = new Placement(rules, listener, interner, machine, codec, users, links,
        timers, carry, st, owns);
    this.fingerprint = rules.mode() + "|" + rules.timeoutMillis() + "|" + rules.startEvent() + "|"
        + rules.endEvent() + "|" + rules.sessionIdProperty() + "|" + new TreeSet<>(rules.excluded())
        + "|" + rules.associated() + "|" + rules.startEventName() + "|" + rules.endEventName()
        + "|" + config.zone();
    this.entries = new StateEntries(fingerprint, codec, interner, changes, st, links, pending,
        placedKeys, users, carry);
  }

  /**
   * A sessionizer for one destination.
   *
   * @param namespace the UUIDv5 namespace of the session events' {@code $insert_id}s (the
   *     destination's {@code insertIdNamespace})
   */
  public static Sessionizer create(SessionConfig config, UUID namespace, SessionListener listener) {
    return new Sessionizer(config, namespace, listener == null ? SessionListener.NONE : listener,
        key -> true, 0);
  }

  /**
   * A sessionizer for the session keys {@code ownsKey} accepts, one of several that split a
   * destination's stream by session key (see "Split over tasks" in {@code package-info.java}).
   *
   * @param ownsKey whether a session key (a user id, {@code $device:}+device id, or a bare
   *     distinct_id) is this task's: the router's partitioning, a pure function
   * @param carryWaitMillis how long (wall clock) a user's events wait for a handoff before they
   *     are placed without it
   * @throws IllegalArgumentException when {@code carryWaitMillis} is negative
   */
  public static Sessionizer create(SessionConfig config, UUID namespace, SessionListener listener,
      Predicate<String> ownsKey, long carryWaitMillis) {
    if (ownsKey == null) {
      throw new IllegalArgumentException("ownsKey is required");
    }
    if (carryWaitMillis < 0) {
      throw new IllegalArgumentException("carryWaitMillis must be >= 0, was " + carryWaitMillis);
    }
    return new Sessionizer(config, namespace, listener == null ? SessionListener.NONE : listener,
        ownsKey, carryWaitMillis);
  }

  /**
   * Takes the translated records of one log message (records that are not {@code /import} events
   * are ignored) and returns the session records that became final. Offsets must increase from
   * call to call; a call with an offset at or below {@link #snapshotOffset()} is already reflected
   * in the state and is ignored, so a replay may safely start early.
   */
  public List<MixpanelRecord> onEvents(long logOffset, List<MixpanelRecord> batch, long wallNow) {
    if (logOffset <= st.lastOffset) {
      return List.of();
    }
    st.lastOffset = logOffset;
    if (rules.mode() == Mode.off) {
      return List.of();
    }
    st.lastWall = Math.max(st.lastWall, wallNow);
    List<Closed> closed = new ArrayList<>();
    for (MixpanelRecord record : batch) {
      SessionEvent e = reader.read(record, st.seq++, logOffset, wallNow);
      if (e == null) {
        continue;
      }
      if (e.time() < st.watermark) {
        listener.lateEvent();
        continue;
      }
      String k = e.dedupKey();
      if (k != null && (heldKeys.contains(k) || placedKeys.containsKey(k))) {
        listener.duplicateEvent();
        continue;
      }
      if (k != null) {
        heldKeys.add(k);
      }
      st.lastEventWall = Math.max(st.lastEventWall, wallNow);
      pending.add(e);
      changes.held(e, false);
      if (e.time() > st.maxTime) {
        st.maxTime = e.time();
        st.watermark = Math.max(st.watermark, st.maxTime - rules.latenessMillis());
      }
      if (pending.size() > maxHeld) {
        // memory before lateness: at a high rate allowedLateness would hold millions of events,
        // so the oldest are placed now and anything older arriving later counts as late
        st.watermark = Math.max(st.watermark, pending.peek().time());
      }
      advance(closed);
    }
    return emit(closed);
  }

  /**
   * Runs the wall-clock rules: after allowedLateness without any event the watermark catches up
   * with the newest event time; a session whose user sent nothing for timeout + allowedLateness
   * (and, in event and property mode, whose local day has ended) is closed, unless an event that
   * arrived but waits for the watermark could still extend it. A user whose events waited
   * {@code carryWaitMillis} for a handoff gets them placed without it.
   */
  public List<MixpanelRecord> onTick(long wallNow) {
    List<Closed> closed = new ArrayList<>();
    st.lastWall = Math.max(st.lastWall, wallNow);
    if (st.maxTime != Long.MIN_VALUE && st.watermark < st.maxTime
        && wallNow - st.lastEventWall >= rules.latenessMillis()) {
      st.watermark = st.maxTime;
      advance(closed);
    }
    if (placement.giveUp(wallNow, carryWaitMillis, closed)) {
      advance(closed);
    }
    timers.onWall(wallNow, pending.isEmpty() ? Long.MAX_VALUE : pending.peek().time(), closed);
    return emit(closed);
  }

  /**
   * Advances the watermark to {@code streamTime - allowedLateness} (never backwards), as a new
   * newest event time would: held events up to it are placed, sessions whose event-time deadline
   * it passed are closed. For a stream-time punctuator (stream time: the newest record time of the
   * task's inputs).
   */
  public List<MixpanelRecord> onStreamTime(long streamTime) {
    if (rules.mode() == Mode.off) {
      return List.of();
    }
    List<Closed> closed = new ArrayList<>();
    st.maxTime = Math.max(st.maxTime, streamTime);
    long watermark = streamTime < Long.MIN_VALUE + rules.latenessMillis() ? Long.MIN_VALUE
        : streamTime - rules.latenessMillis();
    if (watermark > st.watermark) {
      st.watermark = watermark;
      advance(closed);
    }
    return emit(closed);
  }

  /**
   * The handoffs made since the last call, for the owners of their user keys; drains them. Call it
   * after each {@link #onEvents}, {@link #onTick} and {@link #onStreamTime}. Handoffs not yet taken
   * are part of the {@link #snapshot}.
   */
  public List<Handoff> takeHandoffs() {
    return carry.drainOutbox();
  }

  /**
   * Takes a handoff of another task for a user this one owns and returns the session records that
   * became final. The device's session continues as the user's at the handoff's time, exactly as
   * in one sessionizer; the user's events parked for it are then placed. A handoff of a link not
   * placed here yet is kept until it is; one that no parked event waits for any more (the user was
   * in a session, or {@code carryWaitMillis} passed) is closed as it is ({@code REKEY_COLLISION});
   * one already taken (a replay after {@link #restore}) is ignored.
   *
   * @throws IllegalArgumentException when the user key is not this sessionizer's, or the state is
   *     not readable
   */
  public List<MixpanelRecord> adopt(Handoff handoff, long wallNow) {
    if (rules.mode() == Mode.off) {
      return List.of();
    }
    String user = handoff.userKey();
    if (!owns.test(user)) {
      throw new IllegalArgumentException("handoff for user key " + user
          + ", which this sessionizer does not own: route handoffs by their user key");
    }
    st.lastWall = Math.max(st.lastWall, wallNow);
    List<Closed> closed = new ArrayList<>();
    if (placement.adopt(handoff, closed)) {
      advance(closed);
    }
    return emit(closed);
  }

  /** The highest log offset whose records this state reflects (-1 before any). */
  public long snapshotOffset() {
    return st.lastOffset;
  }

  /**
   * The lowest log offset whose events are still held (in an open session or waiting to be placed);
   * {@code snapshotOffset() + 1} when none is. Without a snapshot, a replay must start here.
   */
  public long checkpointableOffset() {
    long min = st.lastOffset + 1;
    for (SessionEvent e : pending) {
      min = Math.min(min, e.offset());
    }
    return carry.minOffset(users.minOffset(min));
  }

  /** Open sessions, in memory and spilled. */
  public long openSessions() {
    return users.size();
  }

  /**
   * The open session kept under user key {@code key} (as in {@code package-info.java}: a user id,
   * {@code $device:}+device id, or a bare distinct_id), or null. Read only: recency, the spill and
   * the snapshot are left as they were. Events still waiting for the watermark are not in it yet.
   */
  public OpenSession openSession(String key) {
    UserState s = key == null ? null : users.peek(key);
    if (s == null) {
      return null;
    }
    return new OpenSession(key, s.user, SessionMachine.deviceId(key, s), s.first, s.last, s.count,
        s.startName, s.endName, s.value == null ? null : s.value.toString(),
        records.insertId(key, s.first, rules.startEventName(), s.startId));
  }

  /** Events received but not yet placed (waiting for the watermark). */
  public int heldEvents() {
    return pending.size();
  }

  /** Events the watermark reached that wait for a handoff to their user (split over tasks). */
  /** For diagnostics: the handoff ids waited for and received (at most {@code max} of each). */
  public String describeHandoffs(int max) {
    return carry.describe(max);
  }

  public int parkedEvents() {
    return carry.parkedEvents();
  }

  /**
   * The state as bytes, reflecting every offset up to {@link #snapshotOffset()} and every handoff
   * adopted so far (the last {@code max(10000, maxUsersInMemory)} are remembered as adopted).
   */
  public byte[] snapshot() {
    return new Snapshots(codec).write(fingerprint, st, links, pending, placedKeys,
        users.inMemory(), users.spilled(), carry);
  }

  /**
   * Replaces the state by a snapshot's.
   *
   * @throws IllegalArgumentException when the snapshot was made under another session definition
   *     or is not a session snapshot; the state is then left empty
   */
  public void restore(byte[] snapshot) {
    clear();
    Map<String, UserState> restored = new HashMap<>();
    try {
      new Snapshots(codec).read(snapshot, fingerprint, st, links, pending, placedKeys, restored,
          carry);
    } catch (IllegalArgumentException e) {
      clear();
      throw e;
    }
    restored(restored);
    entries.markAll(false);
  }

  /**
   * Hands every entry of the state changed since the last drain to {@code sink}: {@code (key,
   * bytes)} for a new or changed entry, {@code (key, null)} for a removed one, in no particular
   * order; the entries handed so far, latest value per key, describe the state (read them back
   * with {@link #restoreEntries}). Costs what changed: the first drain of a sessionizer, and the
   * first after a {@link #restore}, hand the whole state (a restore also removes the entries of
   * the state it replaced). Keys: {@code f} the definition's fingerprint, {@code s} the scalar
   * progress, {@code u/<user key>} an open session, {@code l/<device>} a device link,
   * {@code h/<time>/<seq>} a held event, {@code p/<dedup key>} a placed event's de-duplication
   * key, {@code o} the handoffs to send, {@code r/<handoff id>} a handoff received and not yet
   * applied, {@code a/<user key>} a user's events parked for a handoff, {@code c/<handoff id>} an
   * applied handoff's id. A cache spill is not a change. Changes are tracked from the first call on (or
   * from {@link #restoreEntries}), so a sessionizer that is never drained pays next to nothing.
   */
  public void drainChanges(BiConsumer<String, byte[]> sink) {
    if (!changes.on) {
      changes.on = true;
      entries.markAll(false);
    }
    entries.drain(sink);
  }

  /**
   * Replaces the state by the one the entries describe (every entry {@link #drainChanges} gave,
   * the latest value per key, removed keys absent; any order), as {@link #restore} of the
   * {@link #snapshot} of the drained state would; no entries at all give an empty state. Changes
   * are tracked from here: the next drain hands only what changes after this call (and the
   * removal of entries a smaller bound of links or applied ids dropped).
   *
   * @throws IllegalArgumentException when the entries were made under another session definition
   *     or are not readable; the state is then left empty
   */
  public void restoreEntries(Iterator<Map.Entry<String, byte[]>> stored) {
    changes.on = false;
    clear();
    changes.dirty.clear();
    changes.on = true; // marks what a smaller bound drops while reading, see keepRemovals
    Map<String, UserState> restored = new HashMap<>();
    try {
      entries.read(stored, restored);
    } catch (IllegalArgumentException e) {
      changes.on = false;
      clear();
      changes.dirty.clear();
      changes.on = true;
      throw e;
    }
    restored(restored);
    entries.keepRemovals();
  }

  /** Derives the held keys and stores and schedules the open sessions of a restored state. */
  private void restored(Map<String, UserState> restored) {
    pending.forEach(e -> {
      if (e.dedupKey() != null) {
        heldKeys.add(e.dedupKey());
      }
    });
    restored.forEach((key, s) -> {
      timers.schedule(key, s);
      users.store(key, s);
    });
  }

  /** Empties the state; marks its entries removed when tracking changes. */
  private void clear() {
    entries.markAll(true);
    users.clear();
    links.clear();
    pending.clear();
    heldKeys.clear();
    placedKeys.clear();
    timers.clear();
    carry.clear();
    st.lastOffset = -1;
    st.seq = 0;
    st.maxTime = Long.MIN_VALUE;
    st.watermark = Long.MIN_VALUE;
    st.lastEventWall = Long.MIN_VALUE;
    st.lastWall = Long.MIN_VALUE;
  }

  private void advance(List<Closed> closed) {
    while (!pending.isEmpty() && pending.peek().time() <= st.watermark) {
      SessionEvent e = pending.poll();
      changes.held(e, true);
      if (e.dedupKey() != null) {
        heldKeys.remove(e.dedupKey());
        placedKeys.put(e.dedupKey(), e.time());
        changes.placed(e.dedupKey());
      }
      placement.place(e, closed);
    }
    // an older duplicate is late anyway
    Iterator<Map.Entry<String, Long>> placed = placedKeys.entrySet().iterator();
    while (placed.hasNext()) {
      Map.Entry<String, Long> p = placed.next();
      if (p.getValue() >= st.watermark) {
        break;
      }
      changes.placed(p.getKey());
      placed.remove();
    }
    timers.onWatermark(st.watermark, closed);
    placement.closeUnclaimed(closed);
  }

  private List<MixpanelRecord> emit(List<Closed> closed) {
    if (closed.isEmpty()) {
      return List.of();
    }
    List<MixpanelRecord> out = new ArrayList<>(closed.size() * 2);
    for (Closed c : closed) {
      records.build(c, out);
      listener.sessionClosed(c.reason());
    }
    return out;
  }
}

package dev.mixrelay.session;

import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.config.SessionConfig.Mode;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  /** Whether {@code a} comes before {@code b}: by time, then arrival (seq, unique). */
  private static boolean before(SessionEvent a, SessionEvent b) {
    return a.time() < b.time() || a.time() == b.time() && a.seq() < b.seq();
  }

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
  /** Every held event, read through the timelines that hold them (for the stored state). */
  private final java.util.Collection<SessionEvent> pending = new java.util.AbstractCollection<>() {
    @Override
    public Iterator<SessionEvent> iterator() {
      return timelines.values().stream().flatMap(t -> t.heldEvents().stream()).iterator();
    }

    @Override
    public int size() {
      return heldCount;
    }
  };
  /** How many events are held (each in its timeline's held events: no set of them all). */
  private int heldCount;
  /** The held events a restore read, until they are put on their timelines. */
  private final List<SessionEvent> readHeld = new ArrayList<>();
  /** The live timelines (identity clusters), least recently active first. */
  private final LinkedHashMap<String, Timeline> timelines = new LinkedHashMap<>();
  /** Device keys whose timeline joined a user's (the link arrived), to that user's key. */
  private final Map<String, String> joined = new HashMap<>();
  /** The lateness floors of timelines with nothing open any more, least recent first, bounded. */
  private final LinkedHashMap<String, Long> retired = new LinkedHashMap<>();
  private final long retiredMax;
  /** Placed events' keys whose timeline retired: kept until the destination's watermark. */
  private final ArrayDeque<String> orphans = new ArrayDeque<>();
  /** The timeline each placed key was placed on (as it was keyed then), for the stored state. */
  private final Map<String, String> placedOn = new HashMap<>();
  /** The timeline part of the stored state (snapshot section, {@code t/} and {@code w/}). */
  final TimelineState timelineState = new TimelineState();
  /** {@code sessions.backfillGrace}: a quiet user's sessions follow the destination's time. */
  private final long graceMillis;
  /** De-duplication keys of the held events, and of placed events not older than the watermark. */
  private final KeySet heldKeys = new KeySet();
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

  /**
   * One user's own timeline (an identity cluster: a user and the devices linked to it): its newest
   * event time, its held events, and the time before which its events are late.
   */
  static final class Timeline {
    final String key;
    /**
     * Its held events: null while none is held (most users), the event itself while one is, a
     * binary heap in time order (the oldest first) of {@link #heldSize} while several are. Not a
     * PriorityQueue: its object and looser growth cost about 50 B more per user holding several.
     */
    private Object held;
    /** The events in {@link #held} while it is an array. */
    private int heldSize;
    /** De-duplication keys of its placed events, in placement (time) order; null while none. */
    private ArrayDeque<String> placed;
    /**
     * The session keys on this timeline besides its own (devices that joined it): null, the one
     * key (most users have one device), or a set of two or more. Not a set for one: a HashSet of
     * one key costs about 150 B, a timeline per user holding events.
     */
    private Object joinedKeys;
    long max = Long.MIN_VALUE;
    /** Events older than this are late: newest - allowedLateness, placed events, emitted sessions. */
    long floor = Long.MIN_VALUE;
    long lastWall = Long.MIN_VALUE;
    /**
     * The highest release bound applied with nothing held since: a quiet user's re-scan is
     * skipped below it (a cache, not stored: a release again changes nothing).
     */
    long released = Long.MIN_VALUE;

    Timeline(String key) {
      this.key = key;
    }

    /** Holds {@code e} too. */
    void hold(SessionEvent e) {
      if (held == null) {
        held = e;
        return;
      }
      SessionEvent[] heap;
      if (held instanceof SessionEvent one) {
        heap = new SessionEvent[4];
        heap[0] = one;
        heldSize = 1;
      } else {
        heap = (SessionEvent[]) held;
        if (heldSize == heap.length) {
          heap = java.util.Arrays.copyOf(heap, heap.length + (heap.length >> 1));
        }
      }
      held = heap;
      int k = heldSize++;
      while (k > 0) { // sift up
        int parent = (k - 1) >>> 1;
        if (!before(e, heap[parent])) {
          break;
        }
        heap[k] = heap[parent];
        k = parent;
      }
      heap[k] = e;
    }

    /** Takes over the held events of {@code other} (a device's timeline joining this one). */
    void holdAll(Timeline other) {
      for (SessionEvent e : other.heldEvents()) {
        hold(e);
      }
      other.held = null;
      other.heldSize = 0;
    }

    boolean holds() {
      return held != null;
    }

    /** The oldest held event, or null. */
    SessionEvent oldest() {
      return held == null || held instanceof SessionEvent ? (SessionEvent) held
          : ((SessionEvent[]) held)[0];
    }

    /** Removes and returns the oldest held event, or null. */
    SessionEvent pollOldest() {
      if (held == null || held instanceof SessionEvent) {
        SessionEvent one = (SessionEvent) held;
        held = null;
        return one;
      }
      SessionEvent[] heap = (SessionEvent[]) held;
      SessionEvent oldest = heap[0];
      int n = --heldSize;
      SessionEvent last = heap[n];
      heap[n] = null;
      int k = 0;
      int half = n >>> 1;
      while (k < half) { // sift the last one down from the top
        int child = 2 * k + 1;
        if (child + 1 < n && before(heap[child + 1], heap[child])) {
          child++;
        }
        if (!before(heap[child], last)) {
          break;
        }
        heap[k] = heap[child];
        k = child;
      }
      heap[k] = last;
      if (n == 1) {
        held = heap[0];
        heldSize = 0;
      }
      return oldest;
    }

    /** The held events, in no particular order (read only). */
    java.util.Collection<SessionEvent> heldEvents() {
      if (held == null) {
        return List.of();
      }
      return held instanceof SessionEvent one ? List.of(one)
          : java.util.Arrays.asList((SessionEvent[]) held).subList(0, heldSize);
    }

    ArrayDeque<String> placed() {
      if (placed == null) {
        placed = new ArrayDeque<>(4);
      }
      return placed;
    }

    /** Its session keys: its own and the devices that joined it. */
    Set<String> keys() {
      if (joinedKeys == null) {
        return Set.of(key);
      }
      Set<String> all = new HashSet<>(joined());
      all.add(key);
      return all;
    }

    /**
     * The keys that joined it as a snapshot keeps them: null, the one key (a String is never
     * changed), or an array of its own.
     */
    Object joinedCopy() {
      return joinedKeys == null || joinedKeys instanceof String ? joinedKeys
          : joined().toArray(new String[0]);
    }

    /** The keys of the devices that joined it (read only). */
    @SuppressWarnings("unchecked")
    java.util.Collection<String> joined() {
      if (joinedKeys == null) {
        return List.of();
      }
      return joinedKeys instanceof String one ? List.of(one) : (Set<String>) joinedKeys;
    }

    @SuppressWarnings("unchecked")
    void addKey(String k) {
      if (k.equals(key) || k.equals(joinedKeys)) {
        return;
      }
      if (joinedKeys == null) {
        joinedKeys = k;
      } else if (joinedKeys instanceof String one) {
        Set<String> more = new HashSet<>(4);
        more.add(one);
        more.add(k);
        joinedKeys = more;
      } else {
        ((Set<String>) joinedKeys).add(k);
      }
    }

    /** Drops the joined keys {@code drop} accepts; whether any was dropped. */
    @SuppressWarnings("unchecked")
    boolean dropJoined(Predicate<String> drop) {
      if (joinedKeys == null) {
        return false;
      }
      if (joinedKeys instanceof String one) {
        if (drop.test(one)) {
          joinedKeys = null;
          return true;
        }
        return false;
      }
      Set<String> more = (Set<String>) joinedKeys;
      boolean dropped = more.removeIf(drop);
      if (more.isEmpty()) {
        joinedKeys = null;
      } else if (more.size() == 1) {
        joinedKeys = more.iterator().next();
      }
      return dropped;
    }

    /** Whether devices joined it (its keys are more than its own). */
    boolean joinedAny() {
      return joinedKeys != null;
    }
  }

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
    this.graceMillis = config.backfillGrace().toMillis();
    this.retiredMax = 4L * config.maxUsersInMemory();
    this.listener = listener;
    this.machine = new SessionMachine(rules, new LocalDays(config.zone()), interner);
    this.links = new Links(4L * config.maxUsersInMemory(), changes);
    this.records = new SessionRecords(rules, namespace);
    this.reader = new EventReader(rules, interner);
    this.users = new UserStore(config.maxUsersInMemory(), codec, listener, changes);
    this.timers = new Timers(machine, users);
    this.placement = new Placement(rules, listener, interner, machine, codec, users, links,
        timers, carry, st, owns, this::floorOf, joined::containsKey);
    this.fingerprint = rules.mode() + "|" + rules.timeoutMillis() + "|" + rules.startEvent() + "|"
        + rules.endEvent() + "|" + rules.sessionIdProperty() + "|" + new TreeSet<>(rules.excluded())
        + "|" + rules.associated() + "|" + rules.startEventName() + "|" + rules.endEventName()
        + "|" + config.zone();
    this.entries = new StateEntries(fingerprint, codec, interner, changes, st, links, pending,
        readHeld,
        placedKeys, users, carry, timelineState);
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
      Timeline tl = timeline(e);
      if (e.time() < tl.floor) {
        listener.lateEvent();
        continue;
      }
      e = shareIds(tl, e);
      if (e.keyed() && (heldKeys.contains(e.keyHi(), e.keyLo())
          || !placedKeys.isEmpty() && placedKeys.containsKey(e.dedupKey()))) {
        listener.duplicateEvent();
        continue;
      }
      if (e.keyed()) {
        heldKeys.add(e.keyHi(), e.keyLo());
      }
      st.lastEventWall = Math.max(st.lastEventWall, wallNow);
      heldCount++;
      tl.hold(e);
      tl.released = Long.MIN_VALUE;
      changes.held(e, false);
      touch(tl, wallNow);
      tl.max = Math.max(tl.max, e.time());
      if (e.time() > st.maxTime) {
        st.maxTime = e.time();
        st.watermark = Math.max(st.watermark, minus(st.maxTime, rules.latenessMillis()));
      }
      long upTo = minus(tl.max, rules.latenessMillis());
      if (heldCount > maxHeld) {
        // memory before lateness: the user's oldest held event is placed now
        upTo = Math.max(upTo, tl.oldest().time());
      }
      release(tl, upTo, closed);
    }
    dropOrphans(false);
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
    quiet(wallNow, closed);
    dropOrphans(true);
    for (String user : placement.giveUp(wallNow, carryWaitMillis, closed)) {
      settled(user, closed);
    }
    int from = closed.size();
    timers.onWatermark(st.watermark, graceMillis);
    timers.onWall(wallNow, st.watermark, graceMillis, this::heldFrom, closed);
    for (int i = from; i < closed.size(); i++) {
      emitted(closed.get(i));
    }
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
    long watermark = minus(streamTime, rules.latenessMillis());
    if (watermark > st.watermark) {
      st.watermark = watermark;
      if (st.lastWall != Long.MIN_VALUE) {
        quiet(st.lastWall, closed);
      }
      dropOrphans(false);
    }
    return emit(closed);
  }

  /**
   * The end of a finite input (an {@code import} of archive files): no more events come for the
   * users seen, so nothing needs holding back any more. Places every held event, then closes what
   * the close rules would close once {@code backfillGrace} has passed and the destination's event
   * time has reached {@code streamTime}: each session whose own stream already moved past it, and
   * each session whose last event + timeout (in event and property mode: whose local day, session
   * id or end event deadline) is at or before {@code streamTime}. A session that could still go on
   * after {@code streamTime} stays open for the traffic that follows. The destination's watermark
   * is not moved: live traffic after the import is judged as before.
   *
   * @param streamTime the event time the input is taken to have reached (an import passes the wall
   *     clock at its end: an archive is history)
   */
  public List<MixpanelRecord> onInputEnd(long streamTime) {
    if (rules.mode() == Mode.off) {
      return List.of();
    }
    List<Closed> closed = new ArrayList<>();
    for (String user : placement.giveUp(Long.MAX_VALUE, 0, closed)) {
      settled(user, closed);
    }
    for (Timeline tl : new ArrayList<>(timelines.values())) {
      long upTo = tl.max == Long.MIN_VALUE ? streamTime : Math.max(tl.max, streamTime);
      if (tl.holds() || upTo > tl.released) {
        release(tl, upTo, closed);
      }
    }
    int from = closed.size();
    timers.onWatermark(streamTime, 0);
    long wallNow = st.lastWall == Long.MIN_VALUE ? Long.MIN_VALUE + 1 : st.lastWall;
    timers.onWall(wallNow, streamTime, 0, this::heldFrom, closed);
    for (int i = from; i < closed.size(); i++) {
      emitted(closed.get(i));
    }
    dropOrphans(true);
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
      settled(user, closed);
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
    return heldCount;
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
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    snapshotParts().forEach(all::writeBytes); // one array: for small states (the relay saves parts)
    return all.toByteArray();
  }

  /**
   * The {@link #snapshot} in parts of at most 256 KiB, in order: what a large state is saved as,
   * never needing one array of its whole size (read back with {@link #restore(InputStream)}).
   */
  public List<byte[]> snapshotParts() {
    return snapshotCopy().parts();
  }

  /**
   * The state as of now, to write later on any thread while this sessionizer goes on: taking it
   * copies references and the few mutable parts (a fraction of writing the snapshot), so the
   * thread that owns the sessionizer is not held for the writing.
   */
  public Copy snapshotCopy() {
    return new Copy(new Snapshots(codec).copy(fingerprint, st, links, pending, placedKeys,
        users.inMemory(), users.spilled(), carry, timelineState));
  }

  /** A {@link #snapshotCopy}: the {@link #snapshotParts} of one moment, written when asked. */
  public static final class Copy {
    private final Snapshots.Copy copy;

    private Copy(Snapshots.Copy copy) {
      this.copy = copy;
    }

    /** The {@link #snapshotOffset} it reflects. */
    public long offset() {
      return copy.offset();
    }

    /** Writes it as {@link #snapshotParts} does; once, on any one thread. */
    public List<byte[]> parts() {
      return copy.parts();
    }
  }

  /**
   * Replaces the state by a snapshot's.
   *
   * @throws IllegalArgumentException when the snapshot was made under another session definition
   *     or is not a session snapshot; the state is then left empty
   */
  public void restore(byte[] snapshot) {
    restore(new java.io.ByteArrayInputStream(snapshot));
  }

  /**
   * {@link #restore(byte[])} from a stream of a snapshot's bytes whose {@code available()} is
   * every byte left, as over one array (for example {@link #snapshotParts} read back in order).
   */
  public void restore(java.io.InputStream snapshot) {
    clear();
    Map<String, UserState> restored = new HashMap<>();
    try {
      new Snapshots(codec).read(snapshot, fingerprint, st, links, readHeld, placedKeys, restored,
          carry, timelineState);
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
   * applied, {@code a/<user key>} a user waiting for a handoff, {@code q/<position>/<user key>} one
   * of its parked events, {@code c/<handoff id>} an
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
    if (timelineState.known) {
      restoredTimelines(restored);
      return;
    }
    // a state from before per-user timelines: derived from the held events and open sessions,
    // with the destination-wide watermark it was judged by as the floor of the users it knew
    long legacy = st.watermark;
    List<SessionEvent> held = new ArrayList<>(readHeld);
    readHeld.clear();
    held.sort(Comparator.comparingLong(SessionEvent::seq));
    for (SessionEvent read : held) {
      if (read.keyed()) {
        heldKeys.add(read.keyHi(), read.keyLo());
      }
      Timeline tl = timeline(read);
      SessionEvent e = shareIds(tl, read);
      heldCount++;
      tl.hold(e);
      tl.max = Math.max(tl.max, e.time());
      tl.floor = Math.max(tl.floor, minus(tl.max, rules.latenessMillis()));
      tl.lastWall = Math.max(tl.lastWall, e.arrival());
    }
    orphans.addAll(placedKeys.keySet());
    restored.forEach((key, s) -> {
      timers.schedule(key, s);
      users.store(key, s);
      Timeline tl = timelineOf(key);
      if (tl == null) {
        tl = open(key);
      }
      tl.max = Math.max(tl.max, s.last);
      tl.floor = Math.max(tl.floor, s.last);
      tl.lastWall = Math.max(tl.lastWall, s.lastArrival);
    });
    for (Timeline tl : timelines.values()) {
      tl.floor = Math.max(tl.floor, legacy);
    }
    links.forEach((device, user) -> {
      for (String k : new String[] {user, "$device:" + device}) {
        if (!timelines.containsKey(k) && !joined.containsKey(k)) {
          remember(k, legacy);
        }
      }
    });
    List<Timeline> byWall = new ArrayList<>(timelines.values());
    byWall.sort(Comparator.comparingLong(t -> t.lastWall));
    timelines.clear();
    byWall.forEach(t -> timelines.put(t.key, t));
    timelines.keySet().forEach(changes::timeline);
  }

  /** Places the held events and placed keys of a restored state on their stored timelines. */
  private void restoredTimelines(Map<String, UserState> restored) {
    // activity order: by the last wall time (the stored stamps also move when a floor moves)
    List<Timeline> byWall = new ArrayList<>(timelines.values());
    byWall.sort(Comparator.comparingLong(t -> t.lastWall));
    timelines.clear();
    byWall.forEach(t -> timelines.put(t.key, t));
    // finding a held event's timeline reads links (moving them to the newest): the state as read
    // keeps the links' recency, and nothing of it is a change
    boolean tracking = changes.on;
    changes.on = false;
    List<Map.Entry<String, String>> linkOrder = new ArrayList<>();
    links.forEach((device, user) -> linkOrder.add(Map.entry(device, user)));
    List<SessionEvent> held = new ArrayList<>(readHeld);
    readHeld.clear();
    for (SessionEvent read : held) {
      if (read.keyed()) {
        heldKeys.add(read.keyHi(), read.keyLo());
      }
      Timeline tl = timeline(read, false); // the joins are the stored timelines' own
      SessionEvent e = shareIds(tl, read);
      heldCount++;
      tl.hold(e);
    }
    links.clear();
    linkOrder.forEach(l -> links.put(l.getKey(), l.getValue()));
    changes.on = tracking;
    for (String k : placedKeys.keySet()) {
      String on = placedOn.get(k);
      Timeline tl = on == null ? null : timelineOf(on);
      if (tl == null) {
        orphans.add(k);
      } else {
        tl.placed().add(k);
      }
    }
    restored.forEach((key, s) -> {
      timers.schedule(key, s);
      users.store(key, s);
    });
    timelineState.known = false;
  }

  /**
   * The event with its ids as the timeline already keeps them (its key; the ids of the event it
   * holds longest): a user's held events share one copy of each id, not one per event. Ids are
   * not interned (see {@link EventReader}), so this is where a user's copies meet.
   */
  private static SessionEvent shareIds(Timeline tl, SessionEvent e) {
    SessionEvent o = tl.oldest();
    String userId = EventReader.share(e.userId(), tl.key, o == null ? null : o.userId());
    String deviceId = EventReader.share(e.deviceId(), o == null ? null : o.deviceId(), null);
    String distinctId = EventReader.share(e.distinctId(), userId, deviceId);
    if (distinctId == e.distinctId() && o != null) {
      distinctId = EventReader.share(distinctId, o.distinctId(), null);
    }
    String linkFrom = EventReader.share(e.linkFrom(), deviceId, distinctId);
    String linkTo = EventReader.share(e.linkTo(), userId, tl.key);
    if (userId == e.userId() && deviceId == e.deviceId() && distinctId == e.distinctId()
        && linkFrom == e.linkFrom() && linkTo == e.linkTo()) {
      return e;
    }
    return new SessionEvent(e.time(), e.seq(), e.offset(), e.arrival(), e.name(), userId,
        deviceId, distinctId, linkFrom, linkTo, e.linkAnon(), e.keyHi(), e.keyLo(), e.value(),
        e.props());
  }

  /** Empties the state; marks its entries removed when tracking changes. */
  private void clear() {
    entries.markAll(true);
    users.clear();
    links.clear();
    heldCount = 0;
    readHeld.clear();
    timelines.clear();
    joined.clear();
    retired.clear();
    orphans.clear();
    placedOn.clear();
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

  private static long minus(long time, long millis) {
    return time < Long.MIN_VALUE + millis ? Long.MIN_VALUE : time - millis;
  }

  /**
   * The timeline an arriving event belongs to: its user's (the user it links to, its $user_id, or
   * the user its device joined), when that user is this sessionizer's; else its device's. A link
   * to a user owned here joins the device's timeline to the user's (the device's later records
   * come here too).
   */
  private Timeline timeline(SessionEvent e) {
    return timeline(e, true);
  }

  private Timeline timeline(SessionEvent e, boolean joinNew) {
    String device = null;
    String devKey = null;
    if (e.linkFrom() != null) {
      device = e.linkFrom();
      devKey = Handoffs.deviceKey(e.linkAnon() ? 1 : 0, e);
    } else if (e.deviceId() != null) {
      device = e.deviceId();
      devKey = "$device:" + device;
    } else if (e.distinctId() != null) {
      devKey = e.distinctId();
      device = devKey.startsWith("$device:") ? devKey.substring(8) : devKey;
    }
    String user = e.linkFrom() != null ? e.linkTo() : e.userId();
    if (user == null && devKey != null) {
      String j = joined.get(devKey);
      user = j != null ? j : links.get(device);
    }
    String key = user != null && (owns.test(user) || devKey == null || !owns.test(devKey))
        ? user : devKey != null ? devKey : "";
    String home = joined.get(key);
    Timeline tl = open(home != null ? home : key);
    // once placed, the link routes the device's events: until then they join the user's timeline
    if (joinNew && e.linkFrom() != null && key.equals(user) && !devKey.equals(user)
        && !links.containsKey(device)) {
      String other = joined.get(devKey);
      if (other == null) {
        join(devKey, tl);
      } else if (!other.equals(tl.key) && timelines.containsKey(other)) {
        // a second user links the device before its first link is placed: the two users share
        // one timeline, so the links are placed in time order (the first user wins)
        Timeline first = timelines.get(other);
        join(tl.key, first);
        tl = first;
      }
    }
    return tl;
  }

  private Timeline open(String key) {
    Timeline tl = timelines.get(key);
    if (tl == null) {
      tl = new Timeline(key);
      Long floor = retired.remove(key);
      if (floor != null) {
        tl.floor = floor;
        changes.retired(key);
      }
      UserState s = users.peek(key);
      if (s != null) { // retired with its session open: the session's last event is its newest
        tl.max = Math.max(tl.max, s.last);
        tl.floor = Math.max(tl.floor, s.last);
        tl.lastWall = Math.max(tl.lastWall, s.lastArrival);
      }
      timelines.put(key, tl);
      changes.timeline(key);
    }
    return tl;
  }

  /** The device's timeline continues as the user's: one timeline from here on. */
  private void join(String devKey, Timeline user) {
    joined.put(devKey, user.key);
    user.addKey(devKey);
    changes.timeline(user.key);
    Long floor = retired.remove(devKey);
    if (floor != null) {
      user.floor = Math.max(user.floor, floor);
      changes.retired(devKey);
    }
    Timeline d = timelines.remove(devKey);
    if (d == null) {
      return;
    }
    changes.timeline(devKey);
    if (d.holds()) {
      user.holdAll(d);
    }
    if (d.placed != null) {
      user.placed().addAll(d.placed);
    }
    user.max = Math.max(user.max, d.max);
    user.floor = Math.max(user.floor, d.floor);
    user.lastWall = Math.max(user.lastWall, d.lastWall);
    user.released = Long.MIN_VALUE;
    for (String k : d.keys()) {
      if (!k.equals(devKey)) {
        user.addKey(k);
        joined.put(k, user.key);
      }
    }
  }

  private void touch(Timeline tl, long wallNow) {
    tl.lastWall = Math.max(tl.lastWall, wallNow);
    timelines.remove(tl.key);
    timelines.put(tl.key, tl);
    changes.timeline(tl.key);
  }

  /** The live timeline a session key is on, or null. */
  private Timeline timelineOf(String key) {
    Timeline tl = timelines.get(key);
    if (tl == null) {
      String user = joined.get(key);
      tl = user == null ? null : timelines.get(user);
    }
    return tl;
  }

  /** The time before which an event of this user key is late. */
  private long floorOf(String key) {
    Timeline tl = timelineOf(key);
    if (tl != null) {
      return tl.floor;
    }
    Long floor = retired.get(key);
    return floor == null ? Long.MIN_VALUE : floor;
  }

  /**
   * The earliest event time not yet placed on the key's timeline, {@code Long.MAX_VALUE} when
   * none: held there, or parked while its user waits for a handoff (a device's session joined
   * here is then re-keyed by a parked link, not closed under the device's key).
   */
  private long heldFrom(String key) {
    Timeline tl = timelineOf(key);
    long from = tl == null || !tl.holds() ? Long.MAX_VALUE : tl.oldest().time();
    return Math.min(from, parkedFrom(tl != null ? tl.key : key));
  }

  /** The earliest event time parked while the user waits for a handoff; else MAX_VALUE. */
  private long parkedFrom(String user) {
    Handoffs.Awaiting waiting = carry.awaiting(user);
    return waiting == null || waiting.events.isEmpty()
        ? Long.MAX_VALUE : waiting.events.peek().event.time();
  }

  /**
   * The wall-clock rules of quiet users: after {@code backfillGrace} without an event from the
   * user, its timeline follows the destination's watermark (the newest event time of all users
   * minus allowedLateness); after allowedLateness, its held events are all placed.
   */
  private void quiet(long wallNow, List<Closed> closed) {
    List<Timeline> due = new ArrayList<>();
    for (Timeline tl : timelines.values()) {
      if (tl.lastWall > wallNow - graceMillis) {
        break;
      }
      due.add(tl);
    }
    for (Timeline tl : due) {
      long upTo = Math.max(st.watermark, minus(tl.max, rules.latenessMillis()));
      if (wallNow - tl.lastWall >= rules.latenessMillis()) {
        upTo = Math.max(upTo, tl.max);
      }
      if (upTo > tl.released || tl.holds()) {
        release(tl, upTo, closed);
      } else {
        retire(tl); // what release would still do: its sessions may have gone meanwhile
      }
    }
  }

  /**
   * Places the timeline's held events up to {@code upTo} in time order and closes its sessions
   * whose event-time deadline {@code upTo} reached.
   */
  private void release(Timeline tl, long upTo, List<Closed> closed) {
    long floorBefore = tl.floor;
    tl.floor = Math.max(tl.floor, minus(tl.max, rules.latenessMillis()));
    while (tl.holds() && tl.oldest().time() <= upTo) {
      SessionEvent e = tl.pollOldest();
      heldCount--;
      changes.held(e, true);
      if (e.keyed()) {
        heldKeys.remove(e.keyHi(), e.keyLo());
        String k = e.dedupKey();
        placedKeys.put(k, e.time());
        changes.placed(k);
        tl.placed().add(k);
        placedOn.put(k, tl.key);
      }
      tl.floor = Math.max(tl.floor, e.time());
      placement.place(e, closed);
    }
    int from = closed.size();
    long closeUpTo = Math.min(upTo, parkedFrom(tl.key) - 1); // a parked link may re-key them
    for (String k : tl.keys().toArray(new String[0])) {
      UserState s = users.peek(k);
      if (s != null && machine.deadline(s) <= closeUpTo) {
        UserState before = users.lookup(k);
        users.settle(k, before, machine.onWatermark(k, before, upTo, closed));
      }
    }
    for (int i = from; i < closed.size(); i++) {
      tl.floor = Math.max(tl.floor, machine.deadline(closed.get(i).state()));
    }
    // an older duplicate is late anyway
    long floor = tl.floor;
    if (tl.placed != null) {
      // in placement (time) order: the oldest first
      while (!tl.placed.isEmpty()) {
        Long t = placedKeys.get(tl.placed.peekFirst());
        if (t != null && t >= floor) {
          break;
        }
        forget(tl.placed.pollFirst());
      }
      if (tl.placed.isEmpty()) {
        tl.placed = null;
      }
    }
    placement.closeUnclaimed(closed);
    tl.released = tl.holds() ? Long.MIN_VALUE : upTo;
    if (tl.floor != floorBefore) {
      changes.timeline(tl.key);
    }
    retire(tl);
  }

  private void forget(String dedupKey) {
    if (placedKeys.remove(dedupKey) != null) {
      changes.placed(dedupKey);
    }
    placedOn.remove(dedupKey);
  }

  /** After a user's parked events were placed: the deadlines its timeline already passed. */
  private void settled(String user, List<Closed> closed) {
    Timeline tl = timelineOf(user);
    if (tl != null) {
      release(tl, minus(tl.max, rules.latenessMillis()), closed);
    } else {
      placement.closeUnclaimed(closed);
    }
  }

  /** A session closed by the wall clock: its user's later events within its reach are late. */
  private void emitted(Closed c) {
    Timeline tl = timelineOf(c.key());
    if (tl != null) {
      tl.floor = Math.max(tl.floor, machine.deadline(c.state()));
      changes.timeline(tl.key);
      retire(tl);
    } else {
      remember(c.key(), machine.deadline(c.state()));
    }
  }

  /**
   * Drops a timeline with nothing held or awaited. A timeline of one key with an open session is
   * dropped too (most users): its newest time and floor are then the session's last event, read
   * back from the session when the user's next event comes (see {@link #open}). Otherwise, when
   * nothing is open on it, its floor is remembered.
   */
  private void retire(Timeline tl) {
    if (tl.holds() || carry.isAwaiting(tl.key)) {
      return;
    }
    boolean open = false;
    // a device whose link is placed needs its join no more
    boolean dropped = tl.dropJoined(k -> {
      if (!links.containsKey(k.startsWith("$device:") ? k.substring(8) : k)
          || users.contains(k)) {
        return false;
      }
      joined.remove(k);
      return true;
    });
    if (dropped) {
      changes.timeline(tl.key);
    }
    if (tl.joinedAny()) {
      if (users.contains(tl.key)) {
        return;
      }
      for (String k : tl.joined()) {
        if (users.contains(k)) {
          return;
        }
      }
    } else {
      open = users.contains(tl.key);
    }
    timelines.remove(tl.key);
    changes.timeline(tl.key);
    for (String k : tl.joined()) {
      joined.remove(k);
    }
    if (tl.placed != null) {
      for (String k : tl.placed) { // orphans from here: re-stored as such, newest
        Long t = placedKeys.remove(k);
        if (t != null) {
          placedKeys.put(k, t);
          placedOn.remove(k);
          changes.placed(k);
          orphans.add(k);
        }
      }
    }
    if (!open) {
      remember(tl.key, tl.floor);
    }
  }

  /**
   * Forgets the orphaned placed keys the destination's watermark passed (a duplicate that old is
   * late for the destination anyway); {@code all} looks at every one, else only the oldest.
   */
  private void dropOrphans(boolean all) {
    if (all) {
      orphans.removeIf(k -> {
        Long t = placedKeys.get(k);
        if (t != null && t >= st.watermark) {
          return false;
        }
        forget(k);
        return true;
      });
      return;
    }
    while (!orphans.isEmpty()) {
      Long t = placedKeys.get(orphans.peekFirst());
      if (t != null && t >= st.watermark) {
        return;
      }
      forget(orphans.pollFirst());
    }
  }

  private void remember(String key, long floor) {
    if (floor == Long.MIN_VALUE) {
      return;
    }
    retired.remove(key);
    retired.put(key, floor);
    changes.retired(key);
    if (retired.size() > retiredMax) {
      Iterator<String> oldest = retired.keySet().iterator();
      changes.retired(oldest.next());
      oldest.remove();
    }
  }

  /**
   * The per-user timelines as stored: in a snapshot a section after the handoffs (the live
   * timelines in activity order, the retired floors, each placed key's timeline), as entries
   * {@code t/<key>} and {@code w/<key>}, and the placed key's timeline after its time in
   * {@code p/<dedup key>}. A state without them (from before) is {@code known == false}.
   */
  final class TimelineState {
    /** Set by a reader that found the timelines. */
    boolean known;

    /** The section as of now, to write later on any thread. */
    Copy copy() {
      return new Copy();
    }

    /** The timelines, retired floors and placed keys' timelines of one moment. */
    final class Copy {
      private final String[] keys = new String[timelines.size()];
      /** Per timeline: max, floor, lastWall. */
      private final long[] times = new long[keys.length * 3];
      /** Per timeline: null, the one key that joined it, or an array of those keys. */
      private final Object[] joinedKeys = new Object[keys.length];
      private final Object[] retiredKeys = retired.keySet().toArray();
      private final long[] retiredFloors = new long[retiredKeys.length];
      private final Object[] placedOnKeys = placedOn.keySet().toArray();
      private final Object[] placedOnTimelines = new Object[placedOnKeys.length];

      private Copy() {
        int i = 0;
        for (Timeline tl : timelines.values()) {
          keys[i] = tl.key;
          times[i * 3] = tl.max;
          times[i * 3 + 1] = tl.floor;
          times[i * 3 + 2] = tl.lastWall;
          joinedKeys[i++] = tl.joinedCopy();
        }
        i = 0;
        for (Long floor : retired.values()) {
          retiredFloors[i++] = floor;
        }
        i = 0;
        for (String timeline : placedOn.values()) {
          placedOnTimelines[i++] = timeline;
        }
      }

      void write(DataOutputStream out) throws IOException {
        out.writeInt(keys.length);
        for (int i = 0; i < keys.length; i++) {
          StateCodec.writeString(out, keys[i]);
          writeTimeline(out, times[i * 3], times[i * 3 + 1], times[i * 3 + 2], joinedKeys[i]);
        }
        out.writeInt(retiredKeys.length);
        for (int i = 0; i < retiredKeys.length; i++) {
          StateCodec.writeString(out, (String) retiredKeys[i]);
          out.writeLong(retiredFloors[i]);
        }
        java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
        for (int i = 0; i < placedOnKeys.length; i++) {
          sorted.put((String) placedOnKeys[i], (String) placedOnTimelines[i]);
        }
        out.writeInt(sorted.size());
        for (Map.Entry<String, String> p : sorted.entrySet()) {
          StateCodec.writeString(out, p.getKey());
          StateCodec.writeString(out, p.getValue());
        }
      }
    }

    void read(DataInputStream in) throws IOException {
      for (int i = in.readInt(); i > 0; i--) {
        readTimeline(codec.readString(in), in);
      }
      for (int i = in.readInt(); i > 0; i--) {
        retired.put(codec.readString(in), in.readLong());
      }
      for (int i = in.readInt(); i > 0; i--) {
        readPlacedOn(DedupKey.stored(StateCodec.readRaw(in)), codec.readString(in));
      }
      known = true;
    }

    /** A live timeline's entry, or null when it is not live. */
    byte[] timeline(String key) {
      Timeline tl = timelines.get(key);
      if (tl == null) {
        return null;
      }
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(48);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        writeTimeline(out, tl);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return bytes.toByteArray();
    }

    void readTimeline(String key, DataInputStream in) throws IOException {
      Timeline tl = new Timeline(key);
      tl.max = in.readLong();
      tl.floor = in.readLong();
      tl.lastWall = in.readLong();
      for (int i = in.readInt(); i > 0; i--) {
        String k = codec.readString(in);
        tl.addKey(k);
        joined.put(k, key);
      }
      timelines.put(key, tl);
      known = true;
    }

    /** A retired floor, or null. */
    Long retired(String key) {
      return retired.get(key);
    }

    void readRetired(String key, long floor) {
      retired.put(key, floor);
    }

    String placedOn(String dedupKey) {
      return placedOn.get(dedupKey);
    }

    void readPlacedOn(String dedupKey, String timeline) {
      if (!timeline.isEmpty()) { // "": an orphan
        placedOn.put(dedupKey, timeline);
      }
    }

    Iterable<String> timelineKeys() {
      return timelines.keySet();
    }

    Iterable<String> retiredKeys() {
      return retired.keySet();
    }

    private void writeTimeline(DataOutputStream out, Timeline tl) throws IOException {
      writeTimeline(out, tl.max, tl.floor, tl.lastWall, tl.joinedCopy());
    }

    /**
     * A timeline's entry: max, floor, lastWall, then the keys that joined it ({@code joined}: as
     * {@link Timeline#joinedCopy}) in order.
     */
    private static void writeTimeline(DataOutputStream out, long max, long floor, long lastWall,
        Object joined) throws IOException {
      out.writeLong(max);
      out.writeLong(floor);
      out.writeLong(lastWall);
      if (joined == null) {
        out.writeInt(0);
        return;
      }
      if (joined instanceof String one) {
        out.writeInt(1);
        StateCodec.writeString(out, one);
        return;
      }
      String[] sorted = (String[]) joined; // a copy of its own (joinedCopy): sorted in place
      java.util.Arrays.sort(sorted);
      out.writeInt(sorted.length);
      for (String k : sorted) {
        StateCodec.writeString(out, k);
      }
    }
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

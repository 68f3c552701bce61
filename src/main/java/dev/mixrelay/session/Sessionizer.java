package dev.mixrelay.session;

import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.config.SessionConfig.Mode;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.session.SessionListener.Reason;
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
  private final UserStore users;
  private final Links links;
  private int timerIds;
  private final PriorityQueue<SessionEvent> pending = new PriorityQueue<>(BY_TIME);
  /** De-duplication keys of the held events, and of placed events not older than the watermark. */
  private final Set<String> heldKeys = new HashSet<>();
  private final LinkedHashMap<String, Long> placedKeys = new LinkedHashMap<>();
  private final PriorityQueue<Timer> eventTimers =
      new PriorityQueue<>(Comparator.comparingLong(t -> t.eventAt));
  private final PriorityQueue<Timer> wallTimers =
      new PriorityQueue<>(Comparator.comparingLong(t -> t.wallAt));
  private final String fingerprint;
  private final State st = new State();
  /** Whether a session key is this sessionizer's; every key unless split over tasks. */
  private final Predicate<String> owns;
  private final long carryWaitMillis;
  private final Handoffs carry;

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

  /**
   * One timer entry, in both queues at once. It speaks for the user's state while the state's
   * {@code timer} is its id; deadlines only grow, so an entry is re-queued, never updated in place.
   */
  private static final class Timer {
    final String key;
    final int id;
    long eventAt;
    long wallAt;

    Timer(String key, int id, long eventAt, long wallAt) {
      this.key = key;
      this.id = id;
      this.eventAt = eventAt;
      this.wallAt = wallAt;
    }
  }

  private Sessionizer(SessionConfig config, UUID namespace, SessionListener listener,
      Predicate<String> owns, long carryWaitMillis) {
    this.owns = owns;
    this.carryWaitMillis = carryWaitMillis;
    this.carry = new Handoffs(Math.max(10_000, config.maxUsersInMemory()));
    this.rules = SessionRules.of(config);
    this.maxHeld = config.maxHeldEvents();
    this.listener = listener;
    this.machine = new SessionMachine(rules, new LocalDays(config.zone()), interner);
    this.links = new Links(4L * config.maxUsersInMemory());
    this.records = new SessionRecords(rules, namespace);
    this.reader = new EventReader(rules, interner);
    this.users = new UserStore(config.maxUsersInMemory(), codec, listener);
    this.fingerprint = rules.mode() + "|" + rules.timeoutMillis() + "|" + rules.startEvent() + "|"
        + rules.endEvent() + "|" + rules.sessionIdProperty() + "|" + new TreeSet<>(rules.excluded())
        + "|" + rules.associated() + "|" + rules.startEventName() + "|" + rules.endEventName()
        + "|" + config.zone();
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
    if (carry.awaitingUsers() > 0) {
      List<String> due = carry.waitedSince(wallNow, carryWaitMillis);
      for (String user : due) {
        drain(user, true, closed);
      }
      if (!due.isEmpty()) {
        advance(closed);
      }
    }
    while (!wallTimers.isEmpty() && wallTimers.peek().wallAt <= wallNow) {
      Timer t = wallTimers.poll();
      UserState s = users.lookup(t.key);
      if (s == null || s.timer != t.id) {
        users.settle(t.key, s, s);
      } else if (machine.wallDeadline(s) <= wallNow
          && (pending.isEmpty() || machine.deadline(s) <= pending.peek().time())) {
        closed.add(machine.close(t.key, s, Reason.WALL_CLOCK));
        users.settle(t.key, s, null);
      } else {
        // not idle yet, or an event already here but not yet placed may still extend it
        t.wallAt = Math.max(machine.wallDeadline(s), wallNow + 1);
        wallTimers.add(t);
        users.settle(t.key, s, s);
      }
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
    String id = handoff.id();
    if (carry.seen(id)) {
      listener.duplicateHandoff();
      return List.of();
    }
    UserState state = decode(handoff);
    List<Closed> closed = new ArrayList<>();
    if (carry.expected(id)) {
      carry.receive(handoff);
      Handoffs.Awaiting waiting = carry.awaiting(user);
      if (waiting != null && id.equals(waiting.waitingFor)) {
        drain(user, false, closed);
        advance(closed);
      }
    } else if (handoff.time() >= st.watermark && !links.containsKey(linkFrom(handoff))) {
      carry.receive(handoff); // its link is not placed here yet and may still be
    } else if (state != null) {
      carry.applied(id);
      closed.add(machine.close(handoff.deviceKey(), state, Reason.REKEY_COLLISION));
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
    pending.forEach(e -> {
      if (e.dedupKey() != null) {
        heldKeys.add(e.dedupKey());
      }
    });
    restored.forEach((key, s) -> {
      schedule(key, s);
      users.store(key, s);
    });
  }

  private void clear() {
    users.clear();
    links.clear();
    pending.clear();
    heldKeys.clear();
    placedKeys.clear();
    eventTimers.clear();
    wallTimers.clear();
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
      if (e.dedupKey() != null) {
        heldKeys.remove(e.dedupKey());
        placedKeys.put(e.dedupKey(), e.time());
      }
      place(e, closed);
    }
    // an older duplicate is late anyway
    Iterator<Map.Entry<String, Long>> placed = placedKeys.entrySet().iterator();
    while (placed.hasNext() && placed.next().getValue() < st.watermark) {
      placed.remove();
    }
    while (!eventTimers.isEmpty() && eventTimers.peek().eventAt <= st.watermark) {
      Timer t = eventTimers.poll();
      UserState s = users.lookup(t.key);
      if (s == null || s.timer != t.id) {
        users.settle(t.key, s, s);
      } else if (machine.onWatermark(t.key, s, st.watermark, closed) == null) {
        users.settle(t.key, s, null);
      } else {
        t.eventAt = machine.deadline(s);
        eventTimers.add(t);
        users.settle(t.key, s, s);
      }
    }
    for (Handoff h : carry.unclaimed(st.watermark)) {
      if (h.carriesSession()) { // no link placed here asked for it: closed as it is
        carry.applied(h.id());
        closed.add(machine.close(h.deviceKey(), decode(h), Reason.REKEY_COLLISION));
      }
    }
  }

  private void place(SessionEvent e, List<Closed> closed) {
    int deferred = 0;
    if (e.linkFrom() != null) {
      if (!links.containsKey(e.linkFrom())) {
        links.put(interner.string(e.linkFrom()), interner.string(e.linkTo()));
        deferred = link(e, closed);
      } else {
        answerForeignLink(e);
      }
    }
    boolean counted = !rules.excluded().contains(e.name());
    if (!counted && deferred == 0) {
      return;
    }
    String key;
    boolean user;
    if (e.linkFrom() != null) {
      key = e.linkTo(); // its $user_id, or an original-mode identify's $identified_id
      user = true;
    } else if (e.userId() != null) {
      key = e.userId();
      user = true;
    } else {
      String device = e.deviceId();
      String bare = null;
      if (device == null && e.distinctId() != null) {
        bare = e.distinctId();
        device = bare.startsWith("$device:") ? bare.substring(8) : bare;
      }
      if (device == null) {
        return; // distinct_id "": not tied to a user, in no session
      }
      String linked = links.get(device);
      user = linked != null;
      key = user ? linked : bare != null ? bare : "$device:" + device;
    }
    if (!owns.test(key)) {
      listener.eventNotOwned(); // routed by a key it no longer has (it crossed a link)
      return;
    }
    Handoffs.Awaiting waiting = carry.awaiting(key);
    if (waiting == null && deferred == 0) {
      placeOn(key, user, e, closed);
      return;
    }
    Handoffs.Parked parked = new Handoffs.Parked(e, user, deferred);
    if (waiting != null) {
      for (int bit = 0; bit < 2; bit++) {
        if ((deferred & (1 << bit)) != 0) {
          carry.expect(Handoff.id(key, Handoffs.deviceKey(bit, e), e.time()));
        }
      }
      waiting.events.add(parked);
      return;
    }
    String blocked = settle(key, parked, false, closed);
    if (blocked != null) {
      waiting = carry.startAwaiting(key);
      waiting.events.add(parked);
      waiting.waitingFor = blocked;
      waiting.since = st.lastWall;
    }
  }

  /** Applies one counted event to its user's state. */
  private void placeOn(String key, boolean user, SessionEvent e, List<Closed> closed) {
    UserState before = users.lookup(key);
    UserState after = machine.onEvent(key, user, before, e, closed);
    if (after != null && after != before) {
      listener.sessionOpened();
      schedule(key, after);
    }
    users.settle(key, before, after);
  }

  /**
   * The device side of a new link: a device key owned here with its user is re-keyed at once (or,
   * while the user waits for a handoff, taken out to be re-keyed in turn); with a user owned
   * elsewhere it is handed off. Returns the user sides left to apply, as {@link Handoffs.Parked}
   * bits: those of a device taken out here, and that of a device owned elsewhere.
   */
  private int link(SessionEvent e, List<Closed> closed) {
    String user = e.linkTo();
    boolean ownUser = owns.test(user);
    boolean waiting = ownUser && carry.awaiting(user) != null;
    int primary = e.linkAnon() ? 1 : 0;
    int deferred = 0;
    for (int bit = 0; bit <= primary; bit++) {
      String device = Handoffs.deviceKey(bit, e);
      if (device.equals(user)) {
        continue;
      }
      boolean ownDevice = owns.test(device);
      if (ownDevice && ownUser && !waiting) {
        rekey(device, user, e.time(), closed);
      } else if (ownDevice && ownUser) {
        Handoff h = handoff(user, device, e.time(), deviceHalf(device, e.time(), closed));
        carry.expect(h.id());
        carry.receive(h);
        deferred |= 1 << bit;
      } else if (ownDevice) {
        carry.send(handoff(user, device, e.time(), deviceHalf(device, e.time(), closed)));
      } else if (ownUser && bit == primary) {
        deferred |= 1 << bit;
      }
    }
    return deferred;
  }

  /**
   * A device owned here already linked to another user: that user's owner may take the link for a
   * new one and wait, so it is told there is no session to carry.
   */
  private void answerForeignLink(SessionEvent e) {
    String device = Handoffs.deviceKey(e.linkAnon() ? 1 : 0, e);
    String user = e.linkTo();
    if (owns.test(device) && !owns.test(user) && !user.equals(links.get(e.linkFrom()))) {
      carry.send(new Handoff(user, device, e.time(), null));
    }
  }

  /**
   * Applies a parked event's user sides, then places it. Returns the id of the handoff it must
   * wait for instead (nothing placed), or null. With {@code giveUp}, the first missing handoff is
   * not waited for.
   */
  private String settle(String key, Handoffs.Parked p, boolean giveUp, List<Closed> closed) {
    SessionEvent e = p.event;
    for (int bit = 0; bit < 2; bit++) {
      if ((p.halves & (1 << bit)) == 0) {
        continue;
      }
      String device = Handoffs.deviceKey(bit, e);
      String id = Handoff.id(key, device, e.time());
      Handoff h = carry.claim(id);
      if (h != null) {
        UserState s = decode(h);
        if (s != null && !owns.test(device)) {
          s.minOffset = e.offset(); // the other task's offsets mean nothing here
        }
        userHalf(device, key, e.time(), s, closed);
      } else if (!owns.test(device) && !liveAt(key, e.time(), closed)) {
        if (!giveUp) {
          carry.expect(id);
          return id;
        }
        listener.handoffMissed();
        giveUp = false;
      }
      p.halves &= ~(1 << bit);
    }
    if (!rules.excluded().contains(e.name())) {
      placeOn(key, p.user, e, closed);
    }
    return null;
  }

  /** Places a waiting user's parked events until one must wait for a handoff again. */
  private void drain(String key, boolean giveUp, List<Closed> closed) {
    Handoffs.Awaiting waiting = carry.awaiting(key);
    while (!waiting.events.isEmpty()) {
      String blocked = settle(key, waiting.events.peek(), giveUp, closed);
      if (blocked != null) {
        if (!blocked.equals(waiting.waitingFor)) {
          waiting.waitingFor = blocked;
          waiting.since = st.lastWall;
        }
        return;
      }
      giveUp = false;
      waiting.events.poll();
    }
    carry.stopAwaiting(key);
  }

  /**
   * Whether the user has a session that an event at {@code time} would still extend; one already
   * over then is closed.
   */
  private boolean liveAt(String key, long time, List<Closed> closed) {
    UserState s = users.peek(key);
    if (s == null) {
      return false;
    }
    if (machine.deadline(s) > time) {
      return true;
    }
    closed.add(machine.close(key, users.take(key), Reason.TIMEOUT));
    return false;
  }

  /**
   * Moves the device's open session to the user at {@code time}. A session already over at that
   * time (past its timeout or midnight) is closed instead; two live sessions are not merged: the
   * device's is closed.
   */
  private void rekey(String deviceKey, String userKey, long time, List<Closed> closed) {
    if (deviceKey.equals(userKey)) {
      return;
    }
    userHalf(deviceKey, userKey, time, deviceHalf(deviceKey, time, closed), closed);
  }

  /** Takes the device's session out for a re-key at {@code time}; closes it if already over. */
  private UserState deviceHalf(String deviceKey, long time, List<Closed> closed) {
    UserState device = users.take(deviceKey);
    if (device != null && machine.deadline(device) <= time) {
      closed.add(machine.close(deviceKey, device, Reason.TIMEOUT));
      return null;
    }
    return device;
  }

  /** Continues a device's session (live at {@code time}, or null) as the user's. */
  private void userHalf(String deviceKey, String userKey, long time, UserState device,
      List<Closed> closed) {
    if (device == null) {
      return;
    }
    UserState user = users.take(userKey);
    if (user != null && machine.deadline(user) <= time) {
      closed.add(machine.close(userKey, user, Reason.TIMEOUT));
      user = null;
    }
    if (user == null) {
      if (device.deviceId == null && deviceKey.startsWith("$device:")) {
        device.deviceId = interner.string(deviceKey.substring(8));
      }
      device.user = true;
      schedule(userKey, device);
      users.store(userKey, device);
      listener.sessionRekeyed();
    } else {
      closed.add(machine.close(deviceKey, device, Reason.REKEY_COLLISION));
      users.store(userKey, user);
    }
  }

  private Handoff handoff(String userKey, String deviceKey, long time, UserState device) {
    return new Handoff(userKey, deviceKey, time, device == null ? null : codec.encodeUser(device));
  }

  /** The device (or anonymous) id a handoff's link comes from, as {@link #links} keys it. */
  private static String linkFrom(Handoff h) {
    String device = h.deviceKey();
    return device.startsWith("$device:") ? device.substring(8) : device;
  }

  private UserState decode(Handoff h) {
    if (!h.carriesSession()) {
      return null;
    }
    try {
      return codec.decodeUser(h.state());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a readable session in " + h, e);
    }
  }

  private void schedule(String key, UserState s) {
    Timer t = new Timer(key, ++timerIds, machine.deadline(s), machine.wallDeadline(s));
    s.timer = t.id;
    eventTimers.add(t);
    wallTimers.add(t);
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

package dev.mixrelay.session;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The handoff bookkeeping of a {@link Sessionizer} that owns only some keys: handoffs to send,
 * handoffs received and not yet applied, the users whose events are parked until one arrives, and
 * the ids of the handoffs already applied (bounded, for replays). The protocol is in
 * {@code package-info.java} ("Split over tasks"); the decisions are the sessionizer's.
 *
 * <p>Change tracking, per entry (see {@link StateEntries}): while {@link Changes#on}, every call
 * that may change the outbox, a received handoff or a user's parked events (including handing out
 * an {@link Awaiting}, which the caller changes in place) notes that entry, so a drain costs what
 * changed; each applied id added or dropped is told to {@link Changes}.
 */
final class Handoffs {
  /**
   * One user's parked events in placement order; the first waits for {@link #waitingFor}. Events
   * join at the end and leave from the front ({@link #add}, {@link #poll}); only the first one
   * changes in place (its {@link Parked#halves}). Each has a position, {@link #first} for the
   * first, counting on: the key of its own entry.
   */
  static final class Awaiting {
    final ArrayDeque<Parked> events = new ArrayDeque<>();
    String waitingFor;
    /** Wall-clock ms since which it waits for {@link #waitingFor}. */
    long since;
    /** When it began waiting, among the others (the order a restore puts them back in). */
    long order;
    /** The position of the first event. */
    long first;

    void add(Parked p) {
      events.add(p);
    }

    Parked poll() {
      Parked p = events.poll();
      if (p != null) {
        first++;
      }
      return p;
    }

    /** One past the position of the last event. */
    long end() {
      return first + events.size();
    }
  }

  /**
   * Entry keys: the outbox, one received handoff by id, one waiting user, one of its parked events
   * ({@code q/<position>/<user>}: one entry per event, so parking one more writes that event, not
   * the user's whole list; entries of before 2026-12 keep the events in the user's entry).
   */
  static final String OUTBOX_ENTRY = "o";
  static final String RECEIVED_ENTRY = "r/";
  static final String AWAITING_ENTRY = "a/";
  static final String PARKED_ENTRY = "q/";

  /**
   * An event the watermark reached while its user waited. {@code halves}: bit 0 set while the user
   * side of re-keying {@code $device:<linkFrom>} is still to apply, bit 1 that of the bare
   * {@code linkFrom} (original mode).
   */
  static final class Parked {
    final SessionEvent event;
    final boolean user;
    int halves;

    Parked(SessionEvent event, boolean user, int halves) {
      this.event = event;
      this.user = user;
      this.halves = halves;
    }
  }

  private final List<Handoff> outbox = new ArrayList<>();
  /** Received, not yet applied, by id. */
  private final Map<String, Handoff> received = new HashMap<>();
  /** Ids a parked event will apply. */
  private final Set<String> expected = new HashSet<>();
  /** Received before any parked event asked for them, by time (entries may be stale). */
  private final PriorityQueue<Handoff> early =
      new PriorityQueue<>(Comparator.comparingLong(Handoff::time));
  private final Map<String, Awaiting> awaiting = new LinkedHashMap<>();
  private final Set<String> applied;
  private final Changes changes;
  private long nextOrder;
  /** The entries changed since the last drain (only while {@link Changes#on}). */
  private boolean outboxChanged;
  private final Set<String> receivedChanged = new LinkedHashSet<>();
  private final Set<String> awaitingChanged = new LinkedHashSet<>();
  /**
   * Per waiting user, the positions [first, end) of the parked-event entries the store holds
   * (as of the last drain, or the entries read): what a drain must remove when they leave.
   */
  private final Map<String, long[]> stored = new HashMap<>();
  /** A parked event's entry as read: its user and position. */
  private record ReadParked(String user, long pos, Parked parked) {}

  /** Parked-event entries read, until {@link #finishEntries} puts them on their users. */
  private final List<ReadParked> readParked = new ArrayList<>();

  Handoffs(int maxApplied, Changes changes) {
    this.changes = changes;
    this.applied = Collections.newSetFromMap(new LinkedHashMap<>() {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        if (size() <= maxApplied) {
          return false;
        }
        changes.applied(eldest.getKey());
        return true;
      }
    });
  }

  /** The device key that bit {@code i} of {@link Parked#halves} re-keys. */
  static String deviceKey(int i, SessionEvent e) {
    return i == 0 ? "$device:" + e.linkFrom() : e.linkFrom();
  }

  void send(Handoff h) {
    outboxChanged |= changes.on;
    outbox.add(h);
  }

  List<Handoff> drainOutbox() {
    outboxChanged |= changes.on && !outbox.isEmpty();
    List<Handoff> out = List.copyOf(outbox);
    outbox.clear();
    return out;
  }

  /** Whether a handoff of this id was applied (as far as remembered) or waits to be. */
  boolean seen(String id) {
    return applied.contains(id) || received.containsKey(id);
  }

  boolean expected(String id) {
    return expected.contains(id);
  }

  void expect(String id) {
    expected.add(id); // derived from the parked events on a restore: no entry of its own
  }

  /** Keeps a handoff until a parked event or a link placed later applies it. */
  void receive(Handoff h) {
    receivedChanged(h.id());
    received.put(h.id(), h);
    if (!expected.contains(h.id())) {
      early.add(h);
    }
  }

  /** The received handoff of this id, now the caller's to apply; null if none. */
  Handoff claim(String id) {
    Handoff h = received.remove(id);
    if (h != null) {
      receivedChanged(id);
    }
    expected.remove(id);
    if (h != null && h.carriesSession()) {
      applied(id);
    }
    return h;
  }

  /**
   * A received handoff of the same user and device as {@code id} but made at another time (the
   * device's task placed another of the pair's link events first: they arrived out of order
   * within allowedLateness), now the caller's as if it had that id; null if none.
   */
  Handoff claimPair(String id) {
    String pair = pair(id);
    for (Handoff h : received.values()) {
      if (pair(h.id()).equals(pair) && !h.id().equals(id)) {
        claim(h.id());
        expected.remove(id);
        return h;
      }
    }
    return null;
  }

  /**
   * Whether the handoff's user has a parked event that waits for a handoff of the same user and
   * device (made at another of the pair's link events, see {@link #claimPair}).
   */
  boolean parkedFor(Handoff h) {
    Awaiting waiting = awaiting.get(h.userKey());
    if (waiting == null) {
      return false;
    }
    for (Parked p : waiting.events) {
      for (int bit = 0; bit < 2; bit++) {
        if ((p.halves & (1 << bit)) != 0 && deviceKey(bit, p.event).equals(h.deviceKey())) {
          return true;
        }
      }
    }
    return false;
  }

  /** The user and device part of a handoff id (its time left out). */
  static String pair(String id) {
    return id.substring(0, id.lastIndexOf('\n'));
  }

  /** Marks a handoff that was closed rather than applied, so a replay of it is ignored too. */
  void applied(String id) {
    if (applied.add(id)) {
      changes.applied(id);
    }
  }

  boolean isApplied(String id) {
    return applied.contains(id);
  }

  /** The applied ids remembered, oldest first. */
  Iterable<String> appliedIds() {
    return applied;
  }

  /**
   * Removes and returns the handoffs received unasked whose time the watermark has passed: no
   * event that could ask for them can be placed any more.
   */
  List<Handoff> unclaimed(java.util.function.ToLongFunction<String> floorOf) {
    if (early.isEmpty()) {
      return List.of();
    }
    List<Handoff> out = new ArrayList<>();
    java.util.Iterator<Handoff> it = early.iterator();
    while (it.hasNext()) {
      Handoff h = it.next();
      if (h.time() >= floorOf.applyAsLong(h.userKey()) || parkedFor(h)) {
        continue;
      }
      it.remove();
      String id = h.id();
      if (received.get(id) == h && !expected.contains(id)) {
        received.remove(id);
        out.add(h);
        receivedChanged(id);
      }
    }
    return out;
  }

  boolean isAwaiting(String user) {
    return awaiting.containsKey(user);
  }

  Awaiting awaiting(String user) {
    Awaiting a = awaiting.get(user);
    if (a != null) {
      awaitingChanged(user);
    }
    return a;
  }

  Awaiting startAwaiting(String user) {
    awaitingChanged(user);
    return awaiting.computeIfAbsent(user, u -> {
      Awaiting a = new Awaiting();
      a.order = nextOrder++;
      long[] had = stored.get(u);
      a.first = had == null ? 0 : had[1]; // positions never reused before a drain removes them
      return a;
    });
  }

  void stopAwaiting(String user) {
    awaitingChanged(user);
    awaiting.remove(user);
  }

  /**
   * The users who have waited {@code wait} ms or more at {@code wallNow}; a wait that began before
   * any wall-clock time was known begins now.
   */
  List<String> waitedSince(long wallNow, long wait) {
    List<String> out = new ArrayList<>();
    awaiting.forEach((user, a) -> {
      if (a.since == Long.MIN_VALUE) {
        a.since = wallNow;
        awaitingChanged(user);
      }
      if (wallNow - a.since >= wait) {
        out.add(user);
      }
    });
    return out;
  }

  int parkedEvents() {
    int n = 0;
    for (Awaiting a : awaiting.values()) {
      n += a.events.size();
    }
    return n;
  }

  /** For diagnostics: each waiting user's awaited handoff id, and the ids received not applied. */
  String describe(int max) {
    StringBuilder sb = new StringBuilder("awaiting");
    awaiting.values().stream().limit(max).forEach(a -> sb.append(' ').append(a.waitingFor));
    sb.append("; received");
    received.keySet().stream().limit(max).forEach(id -> sb.append(' ').append(id));
    return sb.toString().replace('\0', '|');
  }

  int awaitingUsers() {
    return awaiting.size();
  }

  /** The lowest log offset of a parked event, or {@code min} if lower. */
  long minOffset(long min) {
    for (Awaiting a : awaiting.values()) {
      for (Parked p : a.events) {
        min = Math.min(min, p.event.offset());
      }
    }
    return min;
  }

  void clear() {
    markAllChanged();
    if (!changes.on) { // entries about to be read, or none tracked: no stored events to remove
      stored.clear();
    }
    readParked.clear();
    outbox.clear();
    received.clear();
    expected.clear();
    early.clear();
    awaiting.clear();
    applied.clear();
  }

  private void receivedChanged(String id) {
    if (changes.on) {
      receivedChanged.add(id);
    }
  }

  private void awaitingChanged(String user) {
    if (changes.on) {
      awaitingChanged.add(user);
    }
  }

  /** Notes every entry as changed: the first drain, or the entries of a state being replaced. */
  void markAllChanged() {
    if (changes.on) {
      outboxChanged = true;
      receivedChanged.addAll(received.keySet());
      awaitingChanged.addAll(awaiting.keySet());
    }
  }

  /** Forgets the noted changes: the store already has this state (just read from it). */
  void forgetChanges() {
    outboxChanged = false;
    receivedChanged.clear();
    awaitingChanged.clear();
  }

  /**
   * Hands the changed entries to {@code sink} ({@code (key, null)} for one now gone) and forgets
   * them: {@code o} the outbox, {@code r/<id>} a received handoff, {@code a/<user>} a waiting
   * user, {@code q/<position>/<user>} one of its parked events (the first, which changes in place,
   * and those parked since the last drain; those gone since, removed).
   */
  void drainChanges(BiConsumer<String, byte[]> sink, StateCodec codec) throws IOException {
    if (outboxChanged) {
      outboxChanged = false;
      sink.accept(OUTBOX_ENTRY, outbox.isEmpty() ? null : bytes(out -> {
        out.writeInt(outbox.size());
        for (Handoff h : outbox) {
          writeBytes(out, h.toBytes());
        }
      }));
    }
    for (String id : receivedChanged) {
      Handoff h = received.get(id);
      sink.accept(RECEIVED_ENTRY + id, h == null ? null : h.toBytes());
    }
    receivedChanged.clear();
    for (String user : awaitingChanged) {
      Awaiting a = awaiting.get(user);
      long[] had = stored.get(user);
      long from = a == null ? 0 : a.first;
      long end = a == null ? 0 : a.end();
      if (had != null) { // the entries of events that left (or of a state replaced)
        for (long pos = had[0]; pos < had[1]; pos++) {
          if (pos < from || pos >= end) {
            sink.accept(parkedKey(pos, user), null);
          }
        }
      }
      if (a == null) {
        stored.remove(user);
        sink.accept(AWAITING_ENTRY + user, null);
        continue;
      }
      sink.accept(AWAITING_ENTRY + user, bytes(out -> {
        StateCodec.writeVarLong(out, a.order);
        StateCodec.writeString(out, a.waitingFor);
        out.writeLong(a.since);
        out.writeInt(0); // the events are entries of their own
        StateCodec.writeVarLong(out, a.first);
      }));
      // the first event (its halves change in place) and those parked since the last drain
      long pos = a.first;
      long known = had == null ? from : Math.max(had[1], from + 1);
      for (Parked p : a.events) {
        if (pos == from || pos >= known) {
          sink.accept(parkedKey(pos, user), bytes(out -> writeParked(out, codec, p)));
        }
        pos++;
      }
      stored.put(user, new long[] {from, end});
    }
    awaitingChanged.clear();
  }

  /**
   * Reads one entry {@link #drainChanges} wrote into the emptied state; the received handoffs go
   * to {@code got} and the parked users to {@code users}, for {@link #finishEntries}. False when
   * the key is not a handoff entry.
   */
  boolean readEntry(String key, byte[] b, StateCodec codec, List<Handoff> got,
      List<Map.Entry<String, Awaiting>> users) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b));
    if (key.equals(OUTBOX_ENTRY)) {
      for (int i = in.readInt(); i > 0; i--) {
        outbox.add(readHandoff(in));
      }
    } else if (key.startsWith(RECEIVED_ENTRY)) {
      try {
        got.add(Handoff.fromBytes(b));
      } catch (IllegalArgumentException e) {
        throw new IOException(e.getMessage(), e);
      }
    } else if (key.startsWith(AWAITING_ENTRY)) {
      Awaiting a = new Awaiting();
      a.order = StateCodec.readVarLong(in);
      readWait(in, codec, a);
      if (in.available() > 0) {
        a.first = StateCodec.readVarLong(in);
      }
      users.add(Map.entry(key.substring(AWAITING_ENTRY.length()), a));
    } else if (key.startsWith(PARKED_ENTRY)) {
      int slash = key.indexOf('/', PARKED_ENTRY.length());
      if (slash < 0) {
        throw new IOException("a parked event's entry without its position");
      }
      long pos = Long.parseLong(key.substring(PARKED_ENTRY.length(), slash));
      readParked.add(new ReadParked(key.substring(slash + 1), pos, readParked(in, codec)));
    } else {
      return false;
    }
    return true;
  }

  /**
   * Puts the parked users read by {@link #readEntry} back in the order they began waiting, each
   * with its parked events' entries in position order after those its own entry held.
   */
  void finishEntries(List<Map.Entry<String, Awaiting>> users) throws IOException {
    users.sort(Comparator.comparingLong(e -> e.getValue().order));
    for (Map.Entry<String, Awaiting> u : users) {
      awaiting.put(u.getKey(), u.getValue());
      nextOrder = Math.max(nextOrder, u.getValue().order + 1);
    }
    readParked.sort(Comparator.comparingLong(ReadParked::pos));
    for (ReadParked r : readParked) {
      Awaiting a = awaiting.get(r.user());
      if (a == null || r.pos() != a.end()) {
        throw new IOException("parked event " + r.pos() + " of a user not waiting, or out of"
            + " place");
      }
      a.add(r.parked());
      stored.computeIfAbsent(r.user(), k -> new long[] {a.first, a.first})[1] = a.end();
    }
    readParked.clear();
  }

  /** The snapshot part: outbox, received handoffs, parked users, applied ids. */
  void write(DataOutputStream out, StateCodec codec) throws IOException {
    writeOpen(out, codec);
    out.writeInt(applied.size());
    for (String id : applied) {
      StateCodec.writeString(out, id);
    }
  }

  /** The snapshot part without the applied ids: outbox, received handoffs, parked users. */
  void writeOpen(DataOutputStream out, StateCodec codec) throws IOException {
    out.writeInt(outbox.size());
    for (Handoff h : outbox) {
      writeBytes(out, h.toBytes());
    }
    out.writeInt(received.size());
    for (Handoff h : received.values()) {
      writeBytes(out, h.toBytes());
    }
    out.writeInt(awaiting.size());
    for (Map.Entry<String, Awaiting> u : awaiting.entrySet()) {
      Awaiting a = u.getValue();
      StateCodec.writeString(out, u.getKey());
      writeWait(out, codec, a);
    }
  }

  /** A waiting user's awaited id, since when, and parked events (snapshot and entry alike). */
  private static void writeWait(DataOutputStream out, StateCodec codec, Awaiting a)
      throws IOException {
    StateCodec.writeString(out, a.waitingFor);
    out.writeLong(a.since);
    out.writeInt(a.events.size());
    for (Parked p : a.events) {
      writeParked(out, codec, p);
    }
  }

  private static void writeParked(DataOutputStream out, StateCodec codec, Parked p)
      throws IOException {
    out.writeBoolean(p.user);
    out.writeByte(p.halves);
    codec.writeEvent(out, p.event);
  }

  private static Parked readParked(DataInputStream in, StateCodec codec) throws IOException {
    boolean user = in.readBoolean();
    int halves = in.readByte();
    return new Parked(codec.readEvent(in), user, halves);
  }

  private static String parkedKey(long pos, String user) {
    return PARKED_ENTRY + pos + "/" + user;
  }

  /** Reads {@link #writeWait} into {@code a}. */
  private static void readWait(DataInputStream in, StateCodec codec, Awaiting a)
      throws IOException {
    a.waitingFor = StateCodec.readRaw(in);
    a.since = in.readLong();
    for (int j = in.readInt(); j > 0; j--) {
      a.add(readParked(in, codec));
    }
  }

  void read(DataInputStream in, StateCodec codec) throws IOException {
    List<Handoff> got = readOpen(in, codec);
    for (int i = in.readInt(); i > 0; i--) {
      applied(StateCodec.readRaw(in));
    }
    finishRead(got);
  }

  /**
   * Reads {@link #writeOpen}; the received handoffs it returns go to {@link #finishRead} once the
   * applied ids are read.
   */
  List<Handoff> readOpen(DataInputStream in, StateCodec codec) throws IOException {
    outboxChanged |= changes.on;
    for (int i = in.readInt(); i > 0; i--) {
      outbox.add(readHandoff(in));
    }
    List<Handoff> got = new ArrayList<>();
    for (int i = in.readInt(); i > 0; i--) {
      got.add(readHandoff(in));
    }
    for (int i = in.readInt(); i > 0; i--) {
      readWait(in, codec, startAwaiting(codec.readString(in)));
    }
    return got;
  }

  void finishRead(List<Handoff> got) {
    awaiting.forEach((user, a) -> {
      for (Parked p : a.events) {
        for (int bit = 0; bit < 2; bit++) {
          if ((p.halves & (1 << bit)) != 0) {
            expected.add(Handoff.id(user, deviceKey(bit, p.event), p.event.time()));
          }
        }
      }
    });
    got.forEach(this::receive);
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] bytes(Writer w) throws IOException {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(b)) {
      w.write(out);
    }
    return b.toByteArray();
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    StateCodec.writeVarLong(out, b.length);
    out.write(b);
  }

  private static Handoff readHandoff(DataInputStream in) throws IOException {
    long n = StateCodec.readVarLong(in);
    if (n > in.available()) {
      throw new IOException("handoff longer than the data left");
    }
    try {
      return Handoff.fromBytes(in.readNBytes((int) n));
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}

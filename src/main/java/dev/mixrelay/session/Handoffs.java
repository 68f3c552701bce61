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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The handoff bookkeeping of a {@link Sessionizer} that owns only some keys: handoffs to send,
 * handoffs received and not yet applied, the users whose events are parked until one arrives, and
 * the ids of the handoffs already applied (bounded, for replays). The protocol is in
 * {@code package-info.java} ("Split over tasks"); the decisions are the sessionizer's.
 *
 * <p>Two entries' worth of change tracking: {@link #dirty} is set by every call that may change
 * the outbox, the received handoffs or the parked users (including handing out an
 * {@link Awaiting}, which the caller changes in place); each applied id added or dropped is told
 * to {@link Changes}.
 */
final class Handoffs {
  /** One user's parked events in placement order; the first waits for {@link #waitingFor}. */
  static final class Awaiting {
    final ArrayDeque<Parked> events = new ArrayDeque<>();
    String waitingFor;
    /** Wall-clock ms since which it waits for {@link #waitingFor}. */
    long since;
  }

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
  /** The outbox, received handoffs or parked users may have changed since it was cleared. */
  boolean dirty;

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
    dirty = true;
    outbox.add(h);
  }

  List<Handoff> drainOutbox() {
    dirty |= !outbox.isEmpty();
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
    dirty = true;
    expected.add(id);
  }

  /** Keeps a handoff until a parked event or a link placed later applies it. */
  void receive(Handoff h) {
    dirty = true;
    received.put(h.id(), h);
    if (!expected.contains(h.id())) {
      early.add(h);
    }
  }

  /** The received handoff of this id, now the caller's to apply; null if none. */
  Handoff claim(String id) {
    dirty = true;
    Handoff h = received.remove(id);
    expected.remove(id);
    if (h != null && h.carriesSession()) {
      applied(id);
    }
    return h;
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
      if (h.time() >= floorOf.applyAsLong(h.userKey())) {
        continue;
      }
      it.remove();
      String id = h.id();
      if (received.get(id) == h && !expected.contains(id)) {
        received.remove(id);
        out.add(h);
        dirty = true;
      }
    }
    return out;
  }

  boolean isAwaiting(String user) {
    return awaiting.containsKey(user);
  }

  Awaiting awaiting(String user) {
    Awaiting a = awaiting.get(user);
    dirty |= a != null;
    return a;
  }

  Awaiting startAwaiting(String user) {
    dirty = true;
    return awaiting.computeIfAbsent(user, u -> new Awaiting());
  }

  void stopAwaiting(String user) {
    dirty = true;
    awaiting.remove(user);
  }

  /**
   * The users who have waited {@code wait} ms or more at {@code wallNow}; a wait that began before
   * any wall-clock time was known begins now.
   */
  List<String> waitedSince(long wallNow, long wait) {
    List<String> out = new ArrayList<>();
    dirty |= !awaiting.isEmpty();
    awaiting.forEach((user, a) -> {
      if (a.since == Long.MIN_VALUE) {
        a.since = wallNow;
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
    dirty = true;
    outbox.clear();
    received.clear();
    expected.clear();
    early.clear();
    awaiting.clear();
    applied.clear();
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
      StateCodec.writeString(out, a.waitingFor);
      out.writeLong(a.since);
      out.writeInt(a.events.size());
      for (Parked p : a.events) {
        out.writeBoolean(p.user);
        out.writeByte(p.halves);
        codec.writeEvent(out, p.event);
      }
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
    dirty = true;
    for (int i = in.readInt(); i > 0; i--) {
      outbox.add(readHandoff(in));
    }
    List<Handoff> got = new ArrayList<>();
    for (int i = in.readInt(); i > 0; i--) {
      got.add(readHandoff(in));
    }
    for (int i = in.readInt(); i > 0; i--) {
      Awaiting a = startAwaiting(codec.readString(in));
      a.waitingFor = StateCodec.readRaw(in);
      a.since = in.readLong();
      for (int j = in.readInt(); j > 0; j--) {
        boolean user = in.readBoolean();
        int halves = in.readByte();
        a.events.add(new Parked(codec.readEvent(in), user, halves));
      }
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

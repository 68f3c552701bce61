package dev.mixrelay.session;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A {@link Sessionizer}'s state as entries, one per key, for a store that keeps the latest value
 * per key (see {@link Sessionizer#drainChanges}). Keys and values:
 * <ul>
 *   <li>{@code f}: the session definition's fingerprint, UTF-8.
 *   <li>{@code s}: the scalar progress and the stamp clock, seven longs.
 *   <li>{@code u/<user key>}: an open session, as {@link StateCodec#encodeUser} (the spill's form).
 *   <li>{@code l/<device>}: a device link: stamp (var-long), then the user.
 *   <li>{@code h/<time>/<seq>}: a held event, as {@link StateCodec#writeEvent}.
 *   <li>{@code p/<dedup key>}: a placed event's {@link DedupKey}: stamp, then its time (and
 *       its timeline). An entry of an older state under the full key is read under the compact
 *       one, and the restore rewrites it under that (see {@link #keepRemovals}).
 *   <li>{@code o}: the handoffs to send (usually none: the engine takes them after every call).
 *   <li>{@code r/<handoff id>}: a handoff received and not yet applied, as {@link Handoff#toBytes}.
 *   <li>{@code a/<user key>}: a user waiting for a handoff: order, awaited id, since, then no
 *       events and the position of its first parked event (entries of before 2026-12: its events
 *       here, and no position).
 *   <li>{@code q/<position>/<user key>}: one of that user's parked events (user side, halves,
 *       the event), so parking one more writes one entry.
 *   <li>{@code c/<handoff id>}: an applied handoff id: its stamp.
 * </ul>
 * Stamps grow in the order the part keeps its entries (links: least recently used first; placed
 * keys and applied ids: oldest first), so a restore puts them back in that order.
 */
final class StateEntries {
  private static final Comparator<Stamped> BY_STAMP = Comparator.comparingLong(Stamped::stamp);

  private record Stamped(long stamp, String key, String text, long number) {}

  private final String fingerprint;
  private final StateCodec codec;
  private final Interner interner;
  private final Changes changes;
  private final Sessionizer.State st;
  private final Links links;
  private final Collection<SessionEvent> pending;
  /** Where a read puts the held events, before the sessionizer puts them on their timelines. */
  private final Collection<SessionEvent> readHeld;
  private final Sessionizer.TimelineState timelines;
  private final Map<String, Long> placed;
  private final UserStore users;
  private final Handoffs carry;
  /** The last stamp given. */
  private long clock;
  /** The value of {@code s} as last drained or restored; null: not in the store. */
  private byte[] lastScalars;
  /** The full keys of the placed entries the last read made compact, in their stamps' order. */
  private List<Stamped> renamed = List.of();

  StateEntries(String fingerprint, StateCodec codec, Interner interner, Changes changes, Sessionizer.State st,
      Links links, Collection<SessionEvent> pending, Collection<SessionEvent> readHeld,
      Map<String, Long> placed, UserStore users,
      Handoffs carry, Sessionizer.TimelineState timelines) {
    this.fingerprint = fingerprint;
    this.codec = codec;
    this.interner = interner;
    this.changes = changes;
    this.st = st;
    this.links = links;
    this.pending = pending;
    this.readHeld = readHeld;
    this.timelines = timelines;
    this.placed = placed;
    this.users = users;
    this.carry = carry;
  }

  /**
   * Marks every entry of the state as changed ({@code gone}: as removed), each part in its order;
   * a full drain follows. Costs the state's size: for the first drain and whole-state restores.
   */
  void markAll(boolean gone) {
    if (!changes.on) {
      return;
    }
    if (!gone) {
      changes.dirty.put(Changes.FINGERPRINT, Changes.LAZY);
      lastScalars = null;
    }
    carry.markAllChanged();
    for (Map.Entry<String, String> link : links.entrySet()) {
      changes.link(link.getKey(), gone ? null : link.getValue());
    }
    for (SessionEvent e : pending) {
      if (gone) {
        changes.held(e, true);
      } else {
        changes.heldPresent(e);
      }
    }
    placed.keySet().forEach(changes::placed);
    users.inMemory().keySet().forEach(changes::user);
    users.spilled().keySet().forEach(changes::user);
    carry.appliedIds().forEach(changes::applied);
    List<String> live = new ArrayList<>();
    timelines.timelineKeys().forEach(live::add);
    List<String> retired = new ArrayList<>();
    timelines.retiredKeys().forEach(retired::add);
    retired.forEach(changes::retired);
    live.forEach(changes::timeline);
  }

  /** Hands every changed entry to {@code sink}, (key, null) for a removed one, and forgets them. */
  void drain(BiConsumer<String, byte[]> sink) {
    for (Map.Entry<String, Object> c : changes.entries()) {
      sink.accept(c.getKey(), value(c.getKey(), c.getValue()));
    }
    changes.dirty.clear();
    try {
      carry.drainChanges(sink, codec);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] b = write(this::writeScalars); // last: the stamps above move the clock
    if (!Arrays.equals(b, lastScalars)) {
      lastScalars = b;
      sink.accept(Changes.SCALARS, b);
    }
  }

  private byte[] value(String key, Object v) {
    if (v == Changes.GONE) {
      return null;
    }
    if (v instanceof Changes.Fresh f) {
      return write(out -> codec.writeEvent(out, f.event()));
    }
    if (v instanceof SessionEvent e) {
      return write(out -> codec.writeEvent(out, e));
    }
    if (key.startsWith(Changes.LINK)) {
      return write(out -> {
        StateCodec.writeVarLong(out, ++clock);
        StateCodec.writeString(out, (String) v);
      });
    }
    if (key.startsWith(Changes.USER)) {
      return users.encoded(key.substring(Changes.USER.length()));
    }
    if (key.startsWith(Changes.PLACED)) {
      Long time = placed.get(key.substring(Changes.PLACED.length()));
      String on = timelines.placedOn(key.substring(Changes.PLACED.length()));
      return time == null ? null : write(out -> {
        StateCodec.writeVarLong(out, ++clock);
        out.writeLong(time);
        StateCodec.writeString(out, on == null ? "" : on);
      });
    }
    if (key.startsWith(Changes.TIMELINE)) {
      byte[] t = timelines.timeline(key.substring(Changes.TIMELINE.length()));
      return t == null ? null : write(out -> {
        StateCodec.writeVarLong(out, ++clock);
        out.write(t);
      });
    }
    if (key.startsWith(Changes.RETIRED)) {
      Long floor = timelines.retired(key.substring(Changes.RETIRED.length()));
      return floor == null ? null : write(out -> {
        StateCodec.writeVarLong(out, ++clock);
        out.writeLong(floor);
      });
    }
    if (key.startsWith(Changes.APPLIED)) {
      return !carry.isApplied(key.substring(Changes.APPLIED.length())) ? null
          : write(out -> StateCodec.writeVarLong(out, ++clock));
    }
    if (key.equals(Changes.FINGERPRINT)) {
      return fingerprint.getBytes(StandardCharsets.UTF_8);
    }
    throw new IllegalStateException("no entry kind for " + key);
  }

  /**
   * Reads entries into the emptied parts, open sessions into {@code restored} (the caller stores
   * and schedules them).
   *
   * @throws IllegalArgumentException when the fingerprint is another definition's (or missing
   *     while other entries are there), or an entry is not readable
   */
  void read(Iterator<Map.Entry<String, byte[]>> entries, Map<String, UserState> restored) {
    List<Stamped> linked = new ArrayList<>();
    List<Stamped> placedKeys = new ArrayList<>();
    List<Stamped> oldKeys = new ArrayList<>();
    List<Stamped> applied = new ArrayList<>();
    List<Stamped> lines = new ArrayList<>();
    List<Stamped> retiredFloors = new ArrayList<>();
    List<byte[]> lineBytes = new ArrayList<>();
    byte[] scalars = null;
    byte[] handoffs = null;
    List<Handoff> got = new ArrayList<>();
    List<Map.Entry<String, Handoffs.Awaiting>> parked = new ArrayList<>();
    String made = null;
    boolean any = false;
    String key = null;
    try {
      while (entries.hasNext()) {
        Map.Entry<String, byte[]> entry = entries.next();
        key = entry.getKey();
        byte[] b = entry.getValue();
        any = true;
        if (key.equals(Changes.FINGERPRINT)) {
          made = new String(b, StandardCharsets.UTF_8);
        } else if (key.equals(Changes.SCALARS)) {
          scalars = b;
        } else if (key.equals(Changes.HANDOFFS)) {
          handoffs = b;
        } else if (key.startsWith(Changes.USER)) {
          restored.put(interner.string(key.substring(2)), codec.decodeUser(b));
        } else if (key.startsWith(Changes.LINK)) {
          DataInputStream in = in(b);
          linked.add(new Stamped(StateCodec.readVarLong(in), key.substring(2),
              codec.readString(in), 0));
        } else if (key.startsWith(Changes.HELD)) {
          readHeld.add(codec.readEvent(in(b)));
        } else if (key.startsWith(Changes.PLACED)) {
          DataInputStream in = in(b);
          String full = key.substring(2);
          Stamped p = new Stamped(StateCodec.readVarLong(in), DedupKey.stored(full), null,
              in.readLong());
          placedKeys.add(p);
          if (!p.key().equals(full)) {
            oldKeys.add(new Stamped(p.stamp(), full, p.key(), 0));
          }
          if (in.available() > 0) {
            timelines.readPlacedOn(p.key(), codec.readString(in));
          }
        } else if (key.startsWith(Changes.TIMELINE)) {
          DataInputStream in = in(b);
          lines.add(new Stamped(StateCodec.readVarLong(in), key.substring(2), null,
              lineBytes.size()));
          lineBytes.add(in.readAllBytes());
        } else if (key.startsWith(Changes.RETIRED)) {
          DataInputStream in = in(b);
          retiredFloors.add(new Stamped(StateCodec.readVarLong(in), key.substring(2), null,
              in.readLong()));
        } else if (key.startsWith(Changes.APPLIED)) {
          applied.add(new Stamped(StateCodec.readVarLong(in(b)), key.substring(2), null, 0));
        } else if (carry.readEntry(key, b, codec, got, parked)) {
          continue;
        } else {
          throw new IOException("unknown entry kind");
        }
      }
      key = null;
      if (any && !fingerprint.equals(made)) {
        throw new IllegalArgumentException("the session entries were made under another session "
            + "definition (" + made + "), this one is " + fingerprint);
      }
      if (scalars != null) {
        readScalars(in(scalars));
      }
      linked.sort(BY_STAMP);
      linked.forEach(l -> links.put(interner.string(l.key()), l.text()));
      placedKeys.sort(BY_STAMP);
      placedKeys.forEach(p -> placed.put(p.key(), p.number()));
      oldKeys.sort(BY_STAMP);
      if (handoffs != null) {
        got.addAll(carry.readOpen(in(handoffs), codec)); // one entry before 2026-12: rewritten
      }
      carry.finishEntries(parked);
      applied.sort(BY_STAMP);
      applied.forEach(a -> carry.applied(a.key()));
      carry.finishRead(got);
      lines.sort(BY_STAMP);
      for (Stamped l : lines) {
        timelines.readTimeline(l.key(), in(lineBytes.get((int) l.number())));
      }
      retiredFloors.sort(BY_STAMP);
      retiredFloors.forEach(r -> timelines.readRetired(r.key(), r.number()));
      if (scalarsKnowTimelines) {
        timelines.known = true;
      }
      clock = Math.max(clock, maxStamp(linked, placedKeys, applied));
      clock = Math.max(clock, maxStamp(lines, retiredFloors, List.of()));
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException && key == null) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException("not a readable session entry"
          + (key == null ? "" : " " + key) + ": " + e.getMessage(), e);
    }
    lastScalars = scalars;
    renamed = oldKeys;
    carry.forgetChanges();
    if (handoffs != null) {
      carry.markAllChanged();
      changes.dirty.put(Changes.HANDOFFS, Changes.GONE);
    }
    if (made == null) {
      changes.dirty.put(Changes.FINGERPRINT, Changes.LAZY);
    }
  }

  /**
   * Keeps only the removals among the entries marked while restoring: those a smaller bound (of
   * links or applied ids) dropped, which the store still has; and marks the placed keys read
   * under their full keys as moved to their compact ones.
   */
  void keepRemovals() {
    changes.dirty.entrySet().removeIf(c -> !removed(c.getKey(), c.getValue()));
    for (Stamped old : renamed) {
      changes.dirty.put(Changes.PLACED + old.key(), Changes.GONE);
      if (placed.containsKey(old.text())) {
        changes.placed(old.text());
      }
    }
    renamed = List.of();
  }

  private boolean removed(String key, Object v) {
    if (v == Changes.GONE) {
      return true;
    }
    if (v != Changes.LAZY) {
      return false;
    }
    if (key.startsWith(Changes.USER)) {
      return !users.contains(key.substring(Changes.USER.length()));
    }
    if (key.startsWith(Changes.PLACED)) {
      return !placed.containsKey(key.substring(Changes.PLACED.length()));
    }
    if (key.startsWith(Changes.APPLIED)) {
      return !carry.isApplied(key.substring(Changes.APPLIED.length()));
    }
    if (key.startsWith(Changes.TIMELINE)) {
      return timelines.timeline(key.substring(Changes.TIMELINE.length())) == null;
    }
    if (key.startsWith(Changes.RETIRED)) {
      return timelines.retired(key.substring(Changes.RETIRED.length())) == null;
    }
    return key.equals(Changes.FINGERPRINT);
  }

  private static long maxStamp(List<Stamped> a, List<Stamped> b, List<Stamped> c) {
    long max = 0;
    for (List<Stamped> l : List.of(a, b, c)) {
      for (Stamped s : l) {
        max = Math.max(max, s.stamp());
      }
    }
    return max;
  }

  private void writeScalars(DataOutputStream out) throws IOException {
    out.writeLong(st.lastOffset);
    out.writeLong(st.seq);
    out.writeLong(st.maxTime);
    out.writeLong(st.watermark);
    out.writeLong(st.lastEventWall);
    out.writeLong(st.lastWall);
    out.writeLong(clock);
    out.writeInt(TIMELINES); // the state has per-user timelines (t/, w/)
  }

  /** Marks scalars of a state with per-user timelines. */
  private static final int TIMELINES = 1;
  private boolean scalarsKnowTimelines;

  private void readScalars(DataInputStream in) throws IOException {
    st.lastOffset = in.readLong();
    st.seq = in.readLong();
    st.maxTime = in.readLong();
    st.watermark = in.readLong();
    st.lastEventWall = in.readLong();
    st.lastWall = in.readLong();
    clock = in.readLong();
    scalarsKnowTimelines = in.available() >= 4 && in.readInt() == TIMELINES;
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] write(Writer w) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      w.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static DataInputStream in(byte[] b) {
    return new DataInputStream(new ByteArrayInputStream(b));
  }
}

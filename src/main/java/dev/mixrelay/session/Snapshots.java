package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes and reads a whole {@link Sessionizer} state: progress, device links, held events and open
 * sessions (in memory and spilled, their shared property arrays written once), with the
 * de-duplication keys of placed events, then (since version 3) the newest wall-clock time and the
 * {@link Handoffs}. Layout: magic, {@link StateCodec#VERSION}, the session definition's
 * fingerprint, then the parts in that order. Reads version 2 too: no handoffs, wall clock unknown.
 */
final class Snapshots {
  private static final int MAGIC = 0x4d525353; // "MRSS"

  /** 4: the per-user timelines after the handoffs; 3: handoffs; 2: the first. */
  static final int VERSION = 4;

  private final StateCodec codec;

  Snapshots(StateCodec codec) {
    this.codec = codec;
  }

  /**
   * A copy of the state to write later, on any thread: the immutable parts (held events, strings,
   * shared property arrays, spilled users' bytes) by reference, the mutable ones copied. Taking it
   * costs a pass over the state's references, a fraction of writing it.
   */
  Copy copy(String fingerprint, Sessionizer.State st, Map<String, String> links,
      Collection<SessionEvent> pending, Map<String, Long> placed, Map<String, UserState> users,
      Map<String, byte[]> spilled, Handoffs handoffs, Sessionizer.TimelineState timelines) {
    return new Copy(codec, fingerprint, st, links, pending, placed, users, spilled, handoffs,
        timelines.copy());
  }

  /** What {@link #copy} took; {@link #parts} writes it (once, on any one thread). */
  static final class Copy {
    private final StateCodec codec;
    private final String fingerprint;
    private final long lastOffset;
    private final long seq;
    private final long maxTime;
    private final long watermark;
    private final long lastEventWall;
    private final long lastWall;
    private final Object[] links;
    private final Object[] held;
    private final Object[] placed;
    private final long[] placedTimes;
    /** The users in memory then the spilled ones decoded: keys and copies of their states. */
    private final String[] userKeys;
    private final UserState[] userStates;
    private final byte[] handoffs;
    private final Sessionizer.TimelineState.Copy timelines;

    private Copy(StateCodec codec, String fingerprint, Sessionizer.State st,
        Map<String, String> links, Collection<SessionEvent> pending, Map<String, Long> placed,
        Map<String, UserState> users, Map<String, byte[]> spilled, Handoffs handoffs,
        Sessionizer.TimelineState.Copy timelines) {
      this.codec = codec;
      this.fingerprint = fingerprint;
      this.lastOffset = st.lastOffset;
      this.seq = st.seq;
      this.maxTime = st.maxTime;
      this.watermark = st.watermark;
      this.lastEventWall = st.lastEventWall;
      this.lastWall = st.lastWall;
      this.links = new Object[links.size() * 2];
      int i = 0;
      for (Map.Entry<String, String> link : links.entrySet()) {
        this.links[i++] = link.getKey();
        this.links[i++] = link.getValue();
      }
      this.held = pending.toArray(); // counted as they are
      this.placed = placed.keySet().toArray();
      this.placedTimes = new long[this.placed.length];
      i = 0;
      for (Long t : placed.values()) {
        placedTimes[i++] = t;
      }
      this.userKeys = new String[users.size() + spilled.size()];
      this.userStates = new UserState[userKeys.length];
      i = 0;
      for (Map.Entry<String, UserState> u : users.entrySet()) {
        userKeys[i] = u.getKey();
        userStates[i++] = u.getValue().copy();
      }
      for (Map.Entry<String, byte[]> u : spilled.entrySet()) {
        userKeys[i] = u.getKey();
        userStates[i++] = codec.decodeUser(u.getValue()); // the interner is this thread's
      }
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(b)) {
        handoffs.write(out, codec); // small, and its parts change in place: written now
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      this.handoffs = b.toByteArray();
      this.timelines = timelines;
    }

    /** The offset the copy reflects, as {@link Sessionizer#snapshotOffset}. */
    long offset() {
      return lastOffset;
    }

    /** Writes the snapshot: magic, version, fingerprint, then the parts in their order. */
    List<byte[]> parts() {
      Chunks bytes = new Chunks();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        StateCodec.writeString(out, fingerprint);
        out.writeLong(lastOffset);
        out.writeLong(seq);
        out.writeLong(maxTime);
        out.writeLong(watermark);
        out.writeLong(lastEventWall);
        out.writeInt(links.length / 2);
        for (Object s : links) {
          StateCodec.writeString(out, (String) s);
        }
        out.writeInt(held.length);
        for (Object e : held) {
          codec.writeEvent(out, (SessionEvent) e);
        }
        out.writeInt(placed.length);
        for (int i = 0; i < placed.length; i++) {
          StateCodec.writeString(out, (String) placed[i]);
          out.writeLong(placedTimes[i]);
        }
        Map<JsonNode[], Integer> table = new IdentityHashMap<>();
        List<JsonNode[]> arrays = new ArrayList<>();
        for (UserState s : userStates) {
          if (s.props != null && table.putIfAbsent(s.props, arrays.size()) == null) {
            arrays.add(s.props);
          }
        }
        out.writeInt(arrays.size());
        for (JsonNode[] a : arrays) {
          codec.writeNodes(out, a);
        }
        out.writeInt(userKeys.length);
        for (int i = 0; i < userKeys.length; i++) {
          StateCodec.writeString(out, userKeys[i]);
          codec.writeUser(out, userStates[i], table);
        }
        out.writeLong(lastWall);
        out.write(handoffs);
        timelines.write(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes.parts();
    }
  }

  void read(InputStream snapshot, String fingerprint, Sessionizer.State st, Map<String, String> links,
      Collection<SessionEvent> pending, Map<String, Long> placed, Map<String, UserState> users,
      Handoffs handoffs, Sessionizer.TimelineState timelines) {
    try (DataInputStream in = new DataInputStream(snapshot)) {
      int version = in.readInt() == MAGIC ? in.readInt() : -1;
      if (version < 2 || version > VERSION) {
        throw new IllegalArgumentException("not a session snapshot of version 2 to " + VERSION);
      }
      String made = codec.readString(in);
      if (!fingerprint.equals(made)) {
        throw new IllegalArgumentException("the session snapshot was made under another session "
            + "definition (" + made + "), this one is " + fingerprint);
      }
      st.lastOffset = in.readLong();
      st.seq = in.readLong();
      st.maxTime = in.readLong();
      st.watermark = in.readLong();
      st.lastEventWall = in.readLong();
      for (int i = in.readInt(); i > 0; i--) {
        links.put(codec.readString(in), codec.readString(in));
      }
      for (int i = in.readInt(); i > 0; i--) {
        pending.add(codec.readEvent(in));
      }
      for (int i = in.readInt(); i > 0; i--) {
        placed.put(DedupKey.stored(StateCodec.readRaw(in)), in.readLong());
      }
      List<JsonNode[]> table = new ArrayList<>();
      for (int i = in.readInt(); i > 0; i--) {
        table.add(codec.props(codec.readNodes(in)));
      }
      for (int i = in.readInt(); i > 0; i--) {
        users.put(codec.readString(in), codec.readUser(in, table));
      }
      if (version >= 3) {
        st.lastWall = in.readLong();
        handoffs.read(in, codec);
      }
      if (version >= 4) {
        timelines.read(in);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a readable session snapshot: " + e.getMessage(), e);
    }
  }

  /**
   * The bytes written, in parts of 256 KiB (below G1's humongous size at small heaps), kept as
   * they are: a snapshot costs its size while written and saved, and never needs one array of its
   * whole size (a 145 MB snapshot of 600,000 held events, copied into one array, ran a 768 MB heap
   * out of memory on a humongous allocation). A ByteArrayOutputStream doubles, copies and copies
   * again (up to four times the size).
   */
  private static final class Chunks extends OutputStream {
    private static final int SIZE = 256 * 1024;
    private final List<byte[]> full = new ArrayList<>();
    private byte[] chunk = new byte[4096];
    private int used;

    @Override
    public void write(int b) {
      if (used == chunk.length) {
        next();
      }
      chunk[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      while (len > 0) {
        if (used == chunk.length) {
          next();
        }
        int n = Math.min(len, chunk.length - used);
        System.arraycopy(b, off, chunk, used, n);
        used += n;
        off += n;
        len -= n;
      }
    }

    private void next() {
      if (chunk.length < SIZE) { // a small state stays small
        chunk = Arrays.copyOf(chunk, Math.min(SIZE, chunk.length * 4));
        return;
      }
      full.add(chunk);
      chunk = new byte[SIZE];
      used = 0;
    }

    /** The parts: the full chunks, then the last one cut to its length. */
    List<byte[]> parts() {
      List<byte[]> parts = new ArrayList<>(full.size() + 1);
      parts.addAll(full);
      if (used > 0 || parts.isEmpty()) {
        parts.add(used == chunk.length ? chunk : Arrays.copyOf(chunk, used));
      }
      return parts;
    }
  }
}

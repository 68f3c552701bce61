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
import java.util.HashMap;
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

  List<byte[]> write(String fingerprint, Sessionizer.State st, Map<String, String> links,
      Collection<SessionEvent> pending, Map<String, Long> placed, Map<String, UserState> users,
      Map<String, byte[]> spilled, Handoffs handoffs, Sessionizer.TimelineState timelines) {
    Chunks bytes = new Chunks();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      StateCodec.writeString(out, fingerprint);
      out.writeLong(st.lastOffset);
      out.writeLong(st.seq);
      out.writeLong(st.maxTime);
      out.writeLong(st.watermark);
      out.writeLong(st.lastEventWall);
      out.writeInt(links.size());
      for (Map.Entry<String, String> link : links.entrySet()) {
        StateCodec.writeString(out, link.getKey());
        StateCodec.writeString(out, link.getValue());
      }
      List<SessionEvent> held = new ArrayList<>(pending); // counted as they are
      out.writeInt(held.size());
      for (SessionEvent e : held) {
        codec.writeEvent(out, e);
      }
      out.writeInt(placed.size());
      for (Map.Entry<String, Long> p : placed.entrySet()) {
        StateCodec.writeString(out, p.getKey());
        out.writeLong(p.getValue());
      }
      Map<String, UserState> all = new HashMap<>(users);
      spilled.forEach((key, b) -> all.put(key, codec.decodeUser(b)));
      Map<JsonNode[], Integer> table = new IdentityHashMap<>();
      List<JsonNode[]> arrays = new ArrayList<>();
      for (UserState s : all.values()) {
        if (s.props != null && table.putIfAbsent(s.props, arrays.size()) == null) {
          arrays.add(s.props);
        }
      }
      out.writeInt(arrays.size());
      for (JsonNode[] a : arrays) {
        codec.writeNodes(out, a);
      }
      out.writeInt(all.size());
      for (Map.Entry<String, UserState> u : all.entrySet()) {
        StateCodec.writeString(out, u.getKey());
        codec.writeUser(out, u.getValue(), table);
      }
      out.writeLong(st.lastWall);
      handoffs.write(out, codec);
      timelines.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.parts();
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

package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The binary form of session state, for spilled users and checkpoints: fixed-width longs where a
 * field is read without decoding the rest, variable-length integers elsewhere, associated
 * properties as (index, value) pairs or, in a snapshot, as references into a table of the shared
 * arrays. Frozen per {@link #VERSION}: a change of layout takes a new version.
 */
final class StateCodec {
  /** 3: snapshots end with the wall clock and the handoffs; users and events as in 2. */
  static final int VERSION = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Interner interner;

  StateCodec(Interner interner) {
    this.interner = interner;
  }

  byte[] encodeUser(UserState s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writeUser(out, s, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  UserState decodeUser(byte[] b) {
    try {
      return readUser(new DataInputStream(new ByteArrayInputStream(b)), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes a user's state; {@code table} maps each shared associated-properties array to its
   * index in the snapshot's table, or is null to write the properties inline.
   */
  void writeUser(DataOutputStream out, UserState s, Map<JsonNode[], Integer> table)
      throws IOException {
    out.writeLong(s.minOffset);
    out.writeBoolean(s.user);
    out.writeLong(s.first);
    writeVarLong(out, s.last - s.first);
    writeVarLong(out, s.count);
    out.writeInt(s.startId);
    writeString(out, s.startName);
    writeString(out, s.endName);
    writeString(out, s.deviceId);
    writeNode(out, s.value);
    if (table == null) {
      writeNodes(out, s.props);
    } else {
      writeVarLong(out, s.props == null ? 0 : table.get(s.props) + 1);
    }
    out.writeLong(s.lastArrival);
    out.writeInt(s.timer);
  }

  UserState readUser(DataInputStream in, List<JsonNode[]> table) throws IOException {
    UserState s = new UserState();
    s.minOffset = in.readLong();
    s.user = in.readBoolean();
    s.first = in.readLong();
    s.last = s.first + readVarLong(in);
    s.count = (int) readVarLong(in);
    s.startId = in.readInt();
    s.startName = readString(in);
    s.endName = readString(in);
    s.deviceId = readString(in);
    s.value = readNode(in);
    if (table == null) {
      s.props = interner.props(readNodes(in));
    } else {
      int ref = (int) readVarLong(in);
      s.props = ref == 0 ? null : table.get(ref - 1);
    }
    s.lastArrival = in.readLong();
    s.timer = in.readInt();
    return s;
  }

  /** The shared array equal to {@code values}. */
  JsonNode[] props(JsonNode[] values) {
    return interner.props(values);
  }

  static void writeVarLong(DataOutputStream out, long v) throws IOException {
    while ((v & ~0x7fL) != 0) {
      out.writeByte((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  static long readVarLong(DataInputStream in) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      v |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("malformed variable-length integer");
  }

  /** The lowest log offset a serialized user's session holds, without decoding the rest. */
  static long minOffset(byte[] user) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (user[i] & 0xff);
    }
    return v;
  }

  void writeEvent(DataOutputStream out, SessionEvent e) throws IOException {
    out.writeLong(e.time());
    out.writeLong(e.seq());
    out.writeLong(e.offset());
    out.writeLong(e.arrival());
    writeString(out, e.name());
    writeString(out, e.userId());
    writeString(out, e.deviceId());
    writeString(out, e.distinctId());
    writeString(out, e.linkFrom());
    writeString(out, e.linkTo());
    out.writeBoolean(e.linkAnon());
    writeString(out, e.dedupKey());
    writeNode(out, e.value());
    writeNodes(out, e.props());
  }

  SessionEvent readEvent(DataInputStream in) throws IOException {
    long time = in.readLong();
    long seq = in.readLong();
    long offset = in.readLong();
    long arrival = in.readLong();
    String name = readString(in);
    // ids as EventReader keeps them: not interned, shared within the event (and by the
    // sessionizer with the user's timeline)
    String userId = readRaw(in);
    String deviceId = readRaw(in);
    String distinctId = EventReader.share(readRaw(in), userId, deviceId);
    String linkFrom = EventReader.share(readRaw(in), deviceId, distinctId);
    String linkTo = EventReader.share(readRaw(in), userId, null);
    boolean linkAnon = in.readBoolean();
    String stored = readRaw(in);
    byte[] key = stored == null ? null : DedupKey.parse(stored);
    return new SessionEvent(time, seq, offset, arrival, name, userId, deviceId, distinctId,
        linkFrom, linkTo, linkAnon, key == null ? 0 : DedupKey.hi(key),
        key == null ? 0 : DedupKey.lo(key), readNode(in), interner.props(readNodes(in)));
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      writeVarLong(out, 0);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeVarLong(out, b.length + 1L);
    out.write(b);
  }

  String readString(DataInputStream in) throws IOException {
    String s = readRaw(in);
    return s == null ? null : interner.string(s);
  }

  /** A string that is not worth sharing. */
  static String readRaw(DataInputStream in) throws IOException {
    long n = readVarLong(in);
    if (n == 0) {
      return null;
    }
    if (n - 1 > in.available()) {
      throw new IOException("string longer than the data left");
    }
    return new String(in.readNBytes((int) (n - 1)), StandardCharsets.UTF_8);
  }

  /** An associated-properties array: its length, then (index, value) for the values present. */
  void writeNodes(DataOutputStream out, JsonNode[] nodes) throws IOException {
    if (nodes == null) {
      writeVarLong(out, 0);
      return;
    }
    writeVarLong(out, nodes.length + 1L);
    int present = 0;
    for (JsonNode n : nodes) {
      present += n == null ? 0 : 1;
    }
    writeVarLong(out, present);
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null) {
        writeVarLong(out, i);
        writeNode(out, nodes[i]);
      }
    }
  }

  JsonNode[] readNodes(DataInputStream in) throws IOException {
    long n = readVarLong(in);
    if (n == 0) {
      return null;
    }
    if (n - 1 > 4096) {
      throw new IOException("too many associated properties: " + (n - 1));
    }
    JsonNode[] nodes = new JsonNode[(int) (n - 1)];
    for (long present = readVarLong(in); present > 0; present--) {
      int i = (int) readVarLong(in);
      if (i >= nodes.length) {
        throw new IOException("associated property index out of range: " + i);
      }
      nodes[i] = readNode(in);
    }
    return nodes;
  }

  private static void writeNode(DataOutputStream out, JsonNode n) throws IOException {
    if (n == null) {
      out.writeByte(0);
    } else if (n.isTextual()) {
      out.writeByte(1);
      writeString(out, n.textValue());
    } else {
      out.writeByte(2);
      writeString(out, JSON.writeValueAsString(n));
    }
  }

  private JsonNode readNode(DataInputStream in) throws IOException {
    int tag = in.readByte();
    if (tag == 0) {
      return null;
    }
    String s = readString(in);
    return tag == 1 ? interner.node(TextNode.valueOf(s)) : JSON.readTree(s);
  }
}

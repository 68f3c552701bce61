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

/**
 * The binary form of session state, for spilled users and checkpoints. Frozen per
 * {@link #VERSION}: a change of layout takes a new version and keeps reading the old ones.
 */
final class StateCodec {
  static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Interner interner;

  StateCodec(Interner interner) {
    this.interner = interner;
  }

  byte[] encodeUser(UserState s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writeUser(out, s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  UserState decodeUser(byte[] b) {
    try {
      return readUser(new DataInputStream(new ByteArrayInputStream(b)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void writeUser(DataOutputStream out, UserState s) throws IOException {
    out.writeLong(s.minOffset);
    out.writeBoolean(s.user);
    out.writeLong(s.first);
    out.writeLong(s.last);
    out.writeInt(s.count);
    writeString(out, s.startName);
    writeString(out, s.endName);
    writeString(out, s.deviceId);
    writeNode(out, s.value);
    writeNodes(out, s.props);
    out.writeLong(s.lastArrival);
    out.writeInt(s.timer);
  }

  UserState readUser(DataInputStream in) throws IOException {
    UserState s = new UserState();
    s.minOffset = in.readLong();
    s.user = in.readBoolean();
    s.first = in.readLong();
    s.last = in.readLong();
    s.count = in.readInt();
    s.startName = readString(in);
    s.endName = readString(in);
    s.deviceId = readString(in);
    s.value = readNode(in);
    s.props = interner.props(readNodes(in));
    s.lastArrival = in.readLong();
    s.timer = in.readInt();
    return s;
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
    writeNode(out, e.value());
    writeNodes(out, e.props());
  }

  SessionEvent readEvent(DataInputStream in) throws IOException {
    return new SessionEvent(in.readLong(), in.readLong(), in.readLong(), in.readLong(),
        readString(in), readString(in), readString(in), readString(in), readString(in),
        readString(in), in.readBoolean(), readNode(in), interner.props(readNodes(in)));
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = in.readNBytes(n);
    return interner.string(new String(b, StandardCharsets.UTF_8));
  }

  private void writeNodes(DataOutputStream out, JsonNode[] nodes) throws IOException {
    out.writeInt(nodes == null ? -1 : nodes.length);
    if (nodes != null) {
      for (JsonNode n : nodes) {
        writeNode(out, n);
      }
    }
  }

  private JsonNode[] readNodes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    JsonNode[] nodes = new JsonNode[n];
    for (int i = 0; i < n; i++) {
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

package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot's content as text, with what legitimately differs between two sessionizers in the
 * same state left out: the order of the held events' heap (they are placed in time order anyway),
 * the order of the open sessions and the received handoffs (hash maps), and the timer ids (a
 * restore schedules anew). Everything else, the recency order of links included, is kept.
 */
final class NormalState {
  private NormalState() {}

  static String of(byte[] snapshot) {
    StateCodec codec = new StateCodec(new Interner(1 << 16));
    StringBuilder sb = new StringBuilder();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
      sb.append("magic ").append(in.readInt());
      int version = in.readInt();
      sb.append(" v").append(version).append('\n');
      sb.append("fingerprint ").append(StateCodec.readRaw(in)).append('\n');
      sb.append("progress");
      for (int i = 0; i < 5; i++) {
        sb.append(' ').append(in.readLong());
      }
      sb.append("\nlinks");
      for (int i = in.readInt(); i > 0; i--) {
        sb.append(' ').append(StateCodec.readRaw(in)).append('=').append(StateCodec.readRaw(in));
      }
      TreeMap<String, String> held = new TreeMap<>();
      for (int i = in.readInt(); i > 0; i--) {
        SessionEvent e = codec.readEvent(in);
        held.put(String.format("%020d/%020d", e.time() - Long.MIN_VALUE, e.seq()), event(codec, e));
      }
      sb.append("\nheld ").append(held.values());
      TreeMap<String, Long> placed = new TreeMap<>(); // pruned by time per user: order is no state
      for (int i = in.readInt(); i > 0; i--) {
        placed.put(StateCodec.readRaw(in), in.readLong());
      }
      sb.append("\nplaced ").append(placed);
      List<JsonNode[]> table = new ArrayList<>();
      for (int i = in.readInt(); i > 0; i--) {
        table.add(codec.props(codec.readNodes(in)));
      }
      Map<String, String> users = new TreeMap<>();
      for (int i = in.readInt(); i > 0; i--) {
        String key = StateCodec.readRaw(in);
        UserState s = codec.readUser(in, table);
        s.timer = 0;
        users.put(key, HexFormat.of().formatHex(codec.encodeUser(s)));
      }
      sb.append("\nusers ").append(users);
      sb.append("\nwall ").append(in.readLong());
      sb.append("\noutbox");
      for (int i = in.readInt(); i > 0; i--) {
        sb.append(' ').append(hex(in));
      }
      TreeMap<String, String> received = new TreeMap<>();
      for (int i = in.readInt(); i > 0; i--) {
        String h = hex(in);
        received.put(h, h);
      }
      sb.append("\nreceived ").append(received.keySet());
      sb.append("\nawaiting");
      for (int i = in.readInt(); i > 0; i--) {
        sb.append(' ').append(StateCodec.readRaw(in)).append(" for ")
            .append(StateCodec.readRaw(in)).append(" since ").append(in.readLong()).append(':');
        for (int j = in.readInt(); j > 0; j--) {
          sb.append(" [").append(in.readBoolean()).append(' ').append(in.readByte()).append(' ')
              .append(event(codec, codec.readEvent(in))).append(']');
        }
      }
      sb.append("\napplied");
      for (int i = in.readInt(); i > 0; i--) {
        sb.append(' ').append(StateCodec.readRaw(in));
      }
      if (version >= 4) {
        TreeMap<String, String> lines = new TreeMap<>();
        for (int i = in.readInt(); i > 0; i--) {
          String key = StateCodec.readRaw(in);
          StringBuilder l = new StringBuilder();
          for (int j = 0; j < 3; j++) {
            l.append(in.readLong()).append(' ');
          }
          for (int j = in.readInt(); j > 0; j--) {
            l.append(StateCodec.readRaw(in)).append(' ');
          }
          lines.put(key, l.toString());
        }
        sb.append("\ntimelines ").append(lines);
        TreeMap<String, Long> retired = new TreeMap<>(); // recency only picks whom a bound drops
        for (int i = in.readInt(); i > 0; i--) {
          retired.put(StateCodec.readRaw(in), in.readLong());
        }
        sb.append("\nretired ").append(retired);
        sb.append("\nplacedOn");
        for (int i = in.readInt(); i > 0; i--) {
          sb.append(' ').append(StateCodec.readRaw(in)).append('=').append(StateCodec.readRaw(in));
        }
      }
      if (in.available() != 0) {
        throw new IllegalStateException(in.available() + " bytes left over");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sb.toString();
  }

  private static String event(StateCodec codec, SessionEvent e) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    codec.writeEvent(new DataOutputStream(b), e);
    return HexFormat.of().formatHex(b.toByteArray());
  }

  private static String hex(DataInputStream in) throws IOException {
    return HexFormat.of().formatHex(in.readNBytes((int) StateCodec.readVarLong(in)));
  }
}

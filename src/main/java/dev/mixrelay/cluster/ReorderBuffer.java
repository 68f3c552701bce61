package dev.mixrelay.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A session task's user-keyed records, kept for {@code kafka.reorderWindow} of wall-clock time and
 * then run in the order intake accepted them (their {@code appended-at} time, then their
 * {@code append-seq}, then their offset on the user-keyed partition).
 *
 * <p>Why: one user's records reach its task from several intake partitions (one per device, and
 * one for server-side calls), each routed by its own task at its own pace. The single node reads
 * its log in intake order; here the records of partitions routed a little later would come after
 * newer ones of the same user, hours newer in event time in a backfill, and be late. Keeping each
 * record for the window puts back the intake order wherever the partitions' routing was less than
 * the window apart.
 *
 * <p>The kept records are in a changelogged store, so with {@code exactly_once_v2} they commit with
 * the input offsets: a record is either still kept or already run, never lost nor run twice. Runs
 * are numbered ({@link #sequence}): the numbers the message stage sees as the records' log offsets
 * only grow, whatever the order the records arrived in.
 */
final class ReorderBuffer {
  /** A kept record: what the session stage needs of it. */
  record Kept(String key, String source, String kind, long appendedAt, long appendSeq,
      long timestamp, long arrival, byte[] value) {}

  private static final String SEQUENCE_KEY = "~sequence";

  private final KeyValueStore<String, byte[]> store;
  private final TreeMap<String, Kept> kept = new TreeMap<>();
  private long sequence;
  private long savedSequence;

  /** Reads back what the store keeps; {@code floor}: the last log offset the stage saw. */
  ReorderBuffer(KeyValueStore<String, byte[]> store, long floor) {
    this.store = store;
    try (KeyValueIterator<String, byte[]> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, byte[]> e = all.next();
        if (e.key.equals(SEQUENCE_KEY)) {
          sequence = Math.max(sequence, decodeLong(e.value));
        } else {
          kept.put(e.key, decode(e.value));
        }
      }
    }
    // a task whose stage saw the partition's own offsets (before this buffer) continues above them
    sequence = Math.max(sequence, floor);
    savedSequence = sequence;
  }

  /** Keeps a record that arrived at {@code arrival} (wall-clock ms). */
  void add(Kept k, long offset) {
    String id = id(k.appendedAt(), k.appendSeq(), offset);
    kept.put(id, k);
    store.put(id, encode(k));
  }

  /**
   * Takes the records due at {@code now}, in intake order: from the oldest kept while it arrived
   * at least {@code windowMillis} ago (a newer one waits behind an older one still kept).
   */
  List<Kept> due(long now, long windowMillis) {
    List<Kept> out = new ArrayList<>();
    while (!kept.isEmpty()) {
      Map.Entry<String, Kept> head = kept.firstEntry();
      if (head.getValue().arrival() > now - windowMillis) {
        break;
      }
      kept.pollFirstEntry();
      store.delete(head.getKey());
      out.add(head.getValue());
    }
    return out;
  }

  /**
   * The number the stage sees as the next record's log offset; stored by {@link #saveSequence},
   * which the task calls before Kafka Streams may commit.
   */
  long nextSequence() {
    return ++sequence;
  }

  /** Stores the sequence, when it moved since the last call. */
  void saveSequence() {
    if (sequence != savedSequence) {
      store.put(SEQUENCE_KEY, encodeLong(sequence));
      savedSequence = sequence;
    }
  }

  /**
   * The store key of a kept record: appended-at, append-seq and offset as 16 hex digits each
   * (negative as 0), so the store's order is intake order.
   */
  static String id(long appendedAt, long appendSeq, long offset) {
    char[] c = new char[50];
    hex(c, 0, Math.max(0, appendedAt));
    c[16] = '/';
    hex(c, 17, Math.max(0, appendSeq));
    c[33] = '/';
    hex(c, 34, Math.max(0, offset));
    return new String(c);
  }

  private static void hex(char[] c, int at, long v) {
    for (int i = 15; i >= 0; i--) {
      c[at + i] = Character.forDigit((int) (v & 0xf), 16);
      v >>>= 4;
    }
  }

  long sequence() {
    return sequence;
  }

  int size() {
    return kept.size();
  }

  private static byte[] encode(Kept k) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(k.value().length + 96);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(1);
      out.writeUTF(k.key());
      writeNullable(out, k.source());
      writeNullable(out, k.kind());
      out.writeLong(k.appendedAt());
      out.writeLong(k.appendSeq());
      out.writeLong(k.timestamp());
      out.writeLong(k.arrival());
      out.writeInt(k.value().length);
      out.write(k.value());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static Kept decode(byte[] b) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
      int version = in.readByte();
      if (version != 1) {
        throw new IllegalStateException("a kept record of an unknown format " + version);
      }
      String key = in.readUTF();
      String source = readNullable(in);
      String kind = readNullable(in);
      long appendedAt = in.readLong();
      long appendSeq = in.readLong();
      long timestamp = in.readLong();
      long arrival = in.readLong();
      byte[] value = new byte[in.readInt()];
      in.readFully(value);
      return new Kept(key, source, kind, appendedAt, appendSeq, timestamp, arrival, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeNullable(DataOutputStream out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  private static String readNullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  private static byte[] encodeLong(long v) {
    return java.nio.ByteBuffer.allocate(Long.BYTES).putLong(v).array();
  }

  private static long decodeLong(byte[] b) {
    return java.nio.ByteBuffer.wrap(b).getLong();
  }
}

package dev.mixrelay.log;

import java.io.InputStream;
import java.util.List;

/**
 * Saved state of a pipeline stage and the log offset it reflects (every message up to it). The
 * state is a list of parts, read and written as one stream of their bytes in order: a large
 * state (the sessions of hundreds of thousands of users) never needs one array of its whole size,
 * which a heap of a few hundred megabytes may not have in one piece.
 *
 * @param parts the state's bytes in order; none empty but a lone one
 */
public record Checkpoint(String name, long offset, List<byte[]> parts) {

  public Checkpoint {
    parts = List.copyOf(parts);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("a checkpoint has at least one part");
    }
  }

  /** A checkpoint of one part. */
  public Checkpoint(String name, long offset, byte[] state) {
    this(name, offset, List.of(state));
  }

  /** The state's bytes in one array (for a small state). */
  public byte[] state() {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    long size = size();
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("a checkpoint of " + size + " bytes is over 2 GB");
    }
    byte[] all = new byte[(int) size];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  /** The state's size in bytes. */
  public long size() {
    long size = 0;
    for (byte[] p : parts) {
      size += p.length;
    }
    return size;
  }

  /**
   * The state's bytes as a stream whose {@code available()} is every byte left (up to
   * {@code Integer.MAX_VALUE}), as a stream over one array's would be.
   */
  public InputStream stream() {
    return new PartsStream(parts);
  }

  private static final class PartsStream extends InputStream {
    private final List<byte[]> parts;
    private long left;
    private int part;
    private int at;

    PartsStream(List<byte[]> parts) {
      this.parts = parts;
      for (byte[] p : parts) {
        left += p.length;
      }
    }

    /** Moves past exhausted parts; false at the end. */
    private boolean ready() {
      while (part < parts.size() && at == parts.get(part).length) {
        part++;
        at = 0;
      }
      return part < parts.size();
    }

    @Override
    public int read() {
      if (!ready()) {
        return -1;
      }
      left--;
      return parts.get(part)[at++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (!ready()) {
        return -1;
      }
      byte[] p = parts.get(part);
      int n = Math.min(len, p.length - at);
      System.arraycopy(p, at, b, off, n);
      at += n;
      left -= n;
      return n;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, left);
    }
  }
}

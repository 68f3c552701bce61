package dev.mixrelay.imports;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The non-blank lines of a UTF-8 byte stream, as bytes, without decoding them to text: split at
 * {@code \n}, {@code \r} or both, stripped of whitespace as {@link String#strip()} would strip it,
 * a leading byte order mark dropped. Not thread-safe.
 */
public final class NdjsonLines implements Closeable {
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final InputStream in;
  private byte[] buf = new byte[1 << 16];
  private int pos;
  private int end;
  private boolean eof;
  private boolean first = true;
  /** The current line: {@code buf[start, stop)}, or {@link #stripped} when that had to decode. */
  private int start;
  private int stop;
  private byte[] stripped;
  /** The number of the current line in the file (1-based; {@code \r\n} ends one line). */
  private long line;
  private byte lastTerminator;

  NdjsonLines(InputStream in) {
    this.in = in;
  }

  /** The next non-blank line, stripped; null at the end. */
  byte[] next() throws IOException {
    if (!advance()) {
      return null;
    }
    return stripped != null ? stripped : Arrays.copyOfRange(buf, start, stop);
  }

  /** The number of the line {@link #next()} or {@link #skip()} last reached (1-based). */
  long line() {
    return line;
  }

  /** Moves past the next non-blank line; false at the end. */
  boolean skip() throws IOException {
    return advance();
  }

  private boolean advance() throws IOException {
    while (true) {
      int i = pos;
      while (true) {
        while (i < end && buf[i] != '\n' && buf[i] != '\r') {
          i++;
        }
        if (i < end || eof) {
          break;
        }
        i -= pos;
        fill();
        i += pos;
      }
      boolean last = i >= end;
      byte terminator = last ? 0 : buf[i];
      if (!(i == pos && lastTerminator == '\r' && terminator == '\n')) {
        line++;
      }
      lastTerminator = terminator;
      start = pos;
      stop = i;
      pos = last ? i : i + 1;
      if (first) {
        first = false;
        if (stop - start >= 3 && Arrays.equals(buf, start, start + 3, BOM, 0, 3)) {
          start += 3;
        }
      }
      if (strip()) {
        return true;
      }
      if (last) {
        return false;
      }
    }
  }

  /** Strips the current line; false when it is blank. */
  private boolean strip() {
    stripped = null;
    while (start < stop && asciiSpace(buf[start])) {
      start++;
    }
    while (stop > start && asciiSpace(buf[stop - 1])) {
      stop--;
    }
    if (start == stop) {
      return false;
    }
    if (buf[start] < 0 || buf[stop - 1] < 0) {
      // a non-ASCII character at either end may be whitespace too
      String text = new String(buf, start, stop - start, StandardCharsets.UTF_8).strip();
      if (text.isEmpty()) {
        return false;
      }
      stripped = text.getBytes(StandardCharsets.UTF_8);
    }
    return true;
  }

  /** The ASCII characters {@link Character#isWhitespace} counts, line breaks aside. */
  private static boolean asciiSpace(byte b) {
    return b == ' ' || b == '\t' || b == 0x0B || b == '\f' || (b >= 0x1C && b <= 0x1F);
  }

  /** Keeps the unread bytes at the start of the buffer (grown when full) and reads more. */
  private void fill() throws IOException {
    int kept = end - pos;
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, kept);
    } else if (kept == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    pos = 0;
    end = kept;
    int n = in.read(buf, end, buf.length - end);
    if (n < 0) {
      eof = true;
    } else {
      end += n;
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}

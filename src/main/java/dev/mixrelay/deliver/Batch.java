package dev.mixrelay.deliver;

import dev.mixrelay.mixpanel.Endpoint;
import io.vertx.core.buffer.Buffer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The records of one request to one endpoint. The body is encoded once (JSON array, gzipped for
 * {@code /import}) and reused by retries, so a retried request is byte-identical.
 */
final class Batch {
  final Endpoint endpoint;
  final List<Item> items = new ArrayList<>();
  long bytes = 2;
  int attempt;
  Buffer body;

  Batch(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** True if the record fits under both limits (a lone oversized record always fits). */
  boolean fits(Item item, int maxRecords, long maxBytes) {
    return items.isEmpty()
        || (items.size() < maxRecords && bytes + item.json().length + 1 <= maxBytes);
  }

  void add(Item item) {
    bytes += item.json().length + (items.isEmpty() ? 0 : 1);
    items.add(item);
  }

  /** The two halves of this batch, for a 413. */
  List<Batch> halves() {
    int mid = items.size() / 2;
    Batch a = new Batch(endpoint);
    Batch b = new Batch(endpoint);
    items.subList(0, mid).forEach(a::add);
    items.subList(mid, items.size()).forEach(b::add);
    return List.of(a, b);
  }

  /**
   * Builds the request body; blocking-safe, called off the event loop. The records go straight
   * into the gzip stream through a small buffer, without a copy of the whole uncompressed array.
   */
  Buffer encode() {
    if (body != null) {
      return body;
    }
    boolean gzip = endpoint == Endpoint.IMPORT;
    Buffer out = Buffer.buffer((int) Math.min(gzip ? bytes / 8 + 64 : bytes, Integer.MAX_VALUE));
    try (OutputStream sink = gzip
        ? new BufferedOutputStream(new FastGzip(new BufferSink(out)), 64 * 1024)
        : new BufferSink(out)) {
      sink.write('[');
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) {
          sink.write(',');
        }
        sink.write(items.get(i).json());
      }
      sink.write(']');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    body = out;
    return body;
  }

  /** gzip at the fastest level (ratio about 14 on records; levels 2 to 6 cost more CPU). */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(OutputStream out) throws IOException {
      super(out, 64 * 1024);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }

  /** Appends to a Vert.x buffer, so the body is not copied once more at the end. */
  private static final class BufferSink extends OutputStream {
    private final Buffer buffer;

    BufferSink(Buffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public void write(int b) {
      buffer.appendByte((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      buffer.appendBytes(b, off, len);
    }
  }
}

package dev.mixrelay.deliver;

import dev.mixrelay.mixpanel.Endpoint;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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

  /** Builds the request body; blocking-safe, called off the event loop. */
  Buffer encode() {
    if (body != null) {
      return body;
    }
    ByteArrayOutputStream raw = new ByteArrayOutputStream((int) Math.min(bytes, Integer.MAX_VALUE));
    raw.write('[');
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        raw.write(',');
      }
      raw.writeBytes(items.get(i).json());
    }
    raw.write(']');
    body = Buffer.buffer(endpoint == Endpoint.IMPORT ? gzip(raw) : raw.toByteArray());
    return body;
  }

  private static byte[] gzip(ByteArrayOutputStream raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.size() / 4 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024) {
      {
        def.setLevel(Deflater.BEST_SPEED);
      }
    }) {
      raw.writeTo(gz);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}

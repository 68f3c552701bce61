package dev.mixrelay.ingest;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Decodes request bodies: identity or gzip, never inflating past the request limit. */
final class RequestBodies {
  private RequestBodies() {}

  /**
   * The decoded bytes, or an {@link IntakeError} thrown as {@link Refused} when the encoding is
   * unknown, the gzip stream is broken, or the inflated size passes {@code limit}.
   */
  static byte[] decode(Buffer body, String contentEncoding, int limit) {
    byte[] raw = body == null ? new byte[0] : body.getBytes();
    if (contentEncoding == null || contentEncoding.isBlank()
        || contentEncoding.equalsIgnoreCase("identity")) {
      return raw;
    }
    if (!contentEncoding.trim().equalsIgnoreCase("gzip")) {
      throw new Refused(new IntakeError(415, "unsupported_encoding",
          "Content-Encoding '" + clip(contentEncoding) + "' is not supported (use gzip or none)"));
    }
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw), 8192)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, raw.length * 4 + 64));
      byte[] buf = new byte[8192];
      int total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > limit) {
          throw new Refused(new IntakeError(413, "request_too_large",
              "the request body is larger than " + limit + " bytes after gunzip"));
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new Refused(IntakeError.badRequest("invalid_gzip",
          "the body is not a valid gzip stream: " + e.getMessage()));
    }
  }

  static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /** Carries an {@link IntakeError} out of decoding and parsing. */
  static final class Refused extends RuntimeException {
    final IntakeError error;

    Refused(IntakeError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }
  }
}

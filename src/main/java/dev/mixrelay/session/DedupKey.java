package dev.mixrelay.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The de-duplication key a held or recently placed event is known by: Mixpanel's (event name,
 * distinct_id, time, $insert_id) as 128 bits, the full key's {@code String.hashCode()} (the
 * tie-break of a session's {@code $insert_id}, see {@link SessionMachine}) then 96 bits of its
 * SHA-256. A held event keeps it as two longs (no object of its own); a placed one, and the stored
 * state, as 22 base64url characters of those bits.
 *
 * <p>State stored before (snapshots up to version 4, the entries of 2026-12) holds the full keys,
 * which always contain line feeds and a compact key never does: {@link #stored} reads either.
 */
final class DedupKey {
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  });

  private DedupKey() {}

  /** The 16 bytes of the key of an event with an {@code $insert_id}. */
  static byte[] of(String name, String distinctId, long time, String insertId) {
    return bytes(name + '\n' + distinctId + '\n' + time + '\n' + insertId);
  }

  /** The first 64 bits of a key's bytes. */
  static long hi(byte[] key) {
    return longAt(key, 0);
  }

  /**
   * The last 64 bits of a key's bytes; never 0 when {@link #hi} is 0 (0 and 0 mean "no key", and a
   * key of 128 zero bits, if SHA-256 ever gave one, is taken as its neighbour).
   */
  static long lo(byte[] key) {
    long lo = longAt(key, 8);
    return lo == 0 && hi(key) == 0 ? 1 : lo;
  }

  /** A key as text: 22 base64url characters of its 128 bits. */
  static String text(long hi, long lo) {
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (hi >>> (56 - 8 * i));
      b[8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
    return BASE64.encodeToString(b);
  }

  /** The bytes of a key stored as text (a full key of an older state made compact first). */
  static byte[] parse(String stored) {
    return stored.indexOf('\n') < 0 ? DECODER.decode(stored) : bytes(stored);
  }

  /** A key as stored: a full key of an older state is made compact, a compact one kept. */
  static String stored(String key) {
    if (key == null || key.indexOf('\n') < 0) {
      return key;
    }
    byte[] b = bytes(key);
    return text(hi(b), lo(b));
  }

  /** The full key's {@code String.hashCode()}, which the key's bits begin with. */
  static int startId(long hi) {
    return (int) (hi >>> 32);
  }

  private static byte[] bytes(String full) {
    byte[] digest = SHA256.get().digest(full.getBytes(StandardCharsets.UTF_8));
    byte[] b = new byte[16];
    int h = full.hashCode();
    b[0] = (byte) (h >>> 24);
    b[1] = (byte) (h >>> 16);
    b[2] = (byte) (h >>> 8);
    b[3] = (byte) h;
    System.arraycopy(digest, 0, b, 4, 12);
    return b;
  }

  private static long longAt(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xff);
    }
    return v;
  }
}

package dev.mixrelay.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The de-duplication key a held or recently placed event is known by: Mixpanel's (event name,
 * distinct_id, time, $insert_id) as 22 base64url characters of 128 bits, the full key's
 * {@code String.hashCode()} (the tie-break of a session's {@code $insert_id}, see
 * {@link SessionMachine}) then 96 bits of its SHA-256. About 64 B of heap per key instead of about
 * 140 B for the full key, which is kept once per held event and again per placed one.
 *
 * <p>State stored before (snapshots up to version 4, the entries of 2026-12) holds the full keys,
 * which always contain line feeds and a compact key never does: {@link #stored} reads either.
 */
final class DedupKey {
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  });

  private DedupKey() {}

  /** The key of an event with an {@code $insert_id}. */
  static String of(String name, String distinctId, long time, String insertId) {
    return compact(name + '\n' + distinctId + '\n' + time + '\n' + insertId);
  }

  /** A key as stored: a full key of an older state is made compact, a compact one kept. */
  static String stored(String key) {
    return key == null || key.indexOf('\n') < 0 ? key : compact(key);
  }

  /** The full key's {@code String.hashCode()}, which the compact key begins with. */
  static int startId(String key) {
    return ByteBuffer.wrap(Base64.getUrlDecoder().decode(key)).getInt();
  }

  private static String compact(String full) {
    byte[] digest = SHA256.get().digest(full.getBytes(StandardCharsets.UTF_8));
    ByteBuffer b = ByteBuffer.allocate(16).putInt(full.hashCode()).put(digest, 0, 12);
    return BASE64.encodeToString(b.array());
  }
}

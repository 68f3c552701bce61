package dev.mixrelay.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks Segment's {@code X-Signature}: hex HMAC-SHA1 of the raw body with the shared secret.
 * For an Actions batch (a JSON array) Segment signs only the first element, so the raw bytes of
 * that element are accepted too. Comparison is constant-time.
 */
final class WebhookSignature {
  private static final JsonFactory JSON = new JsonFactory();

  private WebhookSignature() {}

  static boolean valid(String secret, byte[] body, String signatureHex) {
    if (signatureHex == null || signatureHex.isBlank()) {
      return false;
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(signatureHex.trim().toLowerCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return false;
    }
    boolean ok = MessageDigest.isEqual(hmac(secret, body), given);
    byte[] first = firstArrayElement(body);
    if (first != null) {
      ok |= MessageDigest.isEqual(hmac(secret, first), given);
    }
    return ok;
  }

  static String sign(String secret, byte[] body) {
    return HexFormat.of().formatHex(hmac(secret, body));
  }

  private static byte[] hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA1 is unavailable", e);
    }
  }

  /** The raw bytes of the first element when the body is a JSON array of objects, else null. */
  private static byte[] firstArrayElement(byte[] body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_ARRAY || p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      int start = (int) p.currentTokenLocation().getByteOffset();
      p.skipChildren();
      int end = (int) p.currentLocation().getByteOffset();
      return start >= 0 && end > start ? Arrays.copyOfRange(body, start, end) : null;
    } catch (IOException e) {
      return null;
    }
  }
}

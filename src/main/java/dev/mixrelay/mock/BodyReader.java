package dev.mixrelay.mock;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Reads the records of one ingestion request body (already un-gzipped): a JSON array, NDJSON, one
 * object, or a form body {@code data=<json or base64 json>} as Mixpanel's SDKs send to /track.
 */
final class BodyReader {

  /** The records, or why the body cannot be read. */
  sealed interface Read {}

  /** The records and, index for index, the exact bytes each was sent as. */
  record Records(List<JsonNode> records, List<byte[]> raw) implements Read {}

  record Unreadable(String reason) implements Read {}

  private BodyReader() {}

  static Read read(ObjectMapper json, byte[] body, String contentType) {
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    byte[] data = body;
    if (type.startsWith("application/x-www-form-urlencoded") || startsWith(body, "data=")) {
      String payload = formField(new String(body, StandardCharsets.UTF_8), "data");
      if (payload == null) {
        return new Unreadable("form body has no 'data' field");
      }
      data = decodeData(payload);
    }
    int first = firstNonSpace(data);
    if (first < 0) {
      return new Unreadable("request body is empty");
    }
    try (JsonParser p = json.getFactory().createParser(data)) {
      List<JsonNode> out = new ArrayList<>();
      List<byte[]> raw = new ArrayList<>();
      JsonToken t = p.nextToken();
      if (t == JsonToken.START_ARRAY) {
        while (p.nextToken() != JsonToken.END_ARRAY) {
          add(json, p, data, out, raw);
        }
        if (p.nextToken() != null) {
          return new Unreadable("request body is not valid JSON: more than one array");
        }
        return new Records(out, raw);
      }
      while (t != null) {
        add(json, p, data, out, raw);
        t = p.nextToken();
      }
      return new Records(out, raw);
    } catch (JsonProcessingException | RuntimeException e) {
      return new Unreadable("request body is not valid JSON: " + firstLine(e.getMessage()));
    } catch (IOException e) {
      return new Unreadable("request body cannot be read: " + firstLine(e.getMessage()));
    }
  }

  /** Reads the value at the parser's current token and keeps its exact bytes. */
  private static void add(
      ObjectMapper json, JsonParser p, byte[] data, List<JsonNode> out, List<byte[]> raw)
      throws IOException {
    int start = (int) p.currentTokenLocation().getByteOffset();
    JsonNode node = json.readTree(p);
    int end = (int) p.currentLocation().getByteOffset();
    out.add(node);
    raw.add(Arrays.copyOfRange(data, start, end));
  }

  private static byte[] decodeData(String payload) {
    String p = payload.strip();
    if (p.startsWith("[") || p.startsWith("{")) {
      return p.getBytes(StandardCharsets.UTF_8);
    }
    try {
      return Base64.getDecoder().decode(p);
    } catch (IllegalArgumentException e) {
      return p.getBytes(StandardCharsets.UTF_8);
    }
  }

  static String formField(String form, String name) {
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (key.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static boolean startsWith(byte[] body, String prefix) {
    if (body.length < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (body[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int firstNonSpace(byte[] b) {
    for (int i = 0; i < b.length; i++) {
      if (!Character.isWhitespace(b[i])) {
        return i;
      }
    }
    return -1;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}

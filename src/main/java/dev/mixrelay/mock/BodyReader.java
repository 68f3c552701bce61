package dev.mixrelay.mock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

  record Records(List<JsonNode> records) implements Read {}

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
    try {
      List<JsonNode> out = new ArrayList<>();
      try (MappingIterator<JsonNode> it = json.readerFor(JsonNode.class).readValues(data)) {
        while (it.hasNextValue()) {
          out.add(it.nextValue());
        }
      }
      if (out.size() == 1 && out.get(0).isArray()) {
        List<JsonNode> items = new ArrayList<>(out.get(0).size());
        out.get(0).forEach(items::add);
        return new Records(items);
      }
      return new Records(out);
    } catch (JsonProcessingException | RuntimeException e) {
      return new Unreadable("request body is not valid JSON: " + firstLine(e.getMessage()));
    } catch (IOException e) {
      return new Unreadable("request body cannot be read: " + firstLine(e.getMessage()));
    }
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

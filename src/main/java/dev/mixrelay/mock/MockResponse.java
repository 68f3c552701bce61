package dev.mixrelay.mock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One answer of the mock, before WireMock writes it. */
record MockResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

  static final ObjectMapper JSON = new ObjectMapper();

  static MockResponse json(int status, JsonNode body) {
    try {
      return new MockResponse(status, "application/json", JSON.writeValueAsBytes(body), Map.of());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  static MockResponse text(int status, String body) {
    return new MockResponse(status, "text/plain", body.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** Mixpanel's error body: {@code {"code": 401, "error": "...", "status": "Unauthorized"}}. */
  static MockResponse error(int status, String error) {
    ObjectNode o = JSON.createObjectNode();
    o.put("code", status);
    o.put("error", error);
    o.put("status", reason(status));
    return json(status, o);
  }

  MockResponse withHeader(String name, String value) {
    Map<String, String> h = new java.util.LinkedHashMap<>(headers);
    h.put(name, value);
    return new MockResponse(status, contentType, body, Map.copyOf(h));
  }

  static String reason(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 400:
        return "Bad Request";
      case 401:
        return "Unauthorized";
      case 403:
        return "Forbidden";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 413:
        return "Request Entity Too Large";
      case 429:
        return "Too Many Requests";
      case 500:
        return "Internal Server Error";
      case 502:
        return "Bad Gateway";
      case 503:
        return "Service Unavailable";
      case 504:
        return "Gateway Timeout";
      default:
        return "Error";
    }
  }
}

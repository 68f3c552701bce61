package dev.mixrelay.mock;

import java.util.Locale;
import java.util.Map;

/** One request as the mock's handlers see it: headers keyed in lower case, body un-gzipped. */
record MockRequest(
    String method,
    String path,
    Map<String, String> query,
    Map<String, String> headers,
    byte[] body) {

  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  String query(String name) {
    return query.get(name);
  }

  boolean flag(String name) {
    return "1".equals(query.get(name)) || "true".equalsIgnoreCase(query.get(name));
  }
}

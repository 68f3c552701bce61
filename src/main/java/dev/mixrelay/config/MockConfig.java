package dev.mixrelay.config;

/** Where the embedded mock Mixpanel listens when a destination has {@code apiHost: embedded-mock}. */
public record MockConfig(String host, Integer port) {
  public MockConfig {
    host = host == null ? "127.0.0.1" : host;
    port = port == null ? 9090 : port;
  }

  public static MockConfig defaults() {
    return new MockConfig(null, null);
  }

  void check(String path, Checks c) {
    c.range(port, 0, 65535, path + ".port");
  }
}

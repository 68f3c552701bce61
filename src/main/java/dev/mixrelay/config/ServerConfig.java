package dev.mixrelay.config;

import java.time.Duration;

/** The HTTP intake server. */
public record ServerConfig(String host, Integer port, Integer maxMessageBytes, Integer maxRequestBytes,
    Integer maxBatchMessages, Duration idleTimeout, Duration requestTimeout, TlsConfig tls,
    Duration shutdownTimeout) {

  /** HTTPS for intake: PEM certificate chain and private key files (HTTP/1.1 and HTTP/2). */
  public record TlsConfig(String certFile, String keyFile) {
    void check(String path, Checks c) {
      c.require(certFile != null && java.nio.file.Files.isReadable(java.nio.file.Path.of(certFile)),
          path + ".certFile", "must be a readable PEM file", certFile);
      c.require(keyFile != null && java.nio.file.Files.isReadable(java.nio.file.Path.of(keyFile)),
          path + ".keyFile", "must be a readable PEM file", keyFile);
    }
  }

  /** The record without {@code shutdownTimeout} (the default, 20s). */
  public ServerConfig(String host, Integer port, Integer maxMessageBytes, Integer maxRequestBytes,
      Integer maxBatchMessages, Duration idleTimeout, Duration requestTimeout, TlsConfig tls) {
    this(host, port, maxMessageBytes, maxRequestBytes, maxBatchMessages, idleTimeout,
        requestTimeout, tls, null);
  }

  public ServerConfig {
    host = host == null ? "127.0.0.1" : host;
    port = port == null ? 8088 : port;
    maxMessageBytes = maxMessageBytes == null ? 32 * 1024 : maxMessageBytes;
    maxRequestBytes = maxRequestBytes == null ? 500 * 1024 : maxRequestBytes;
    maxBatchMessages = maxBatchMessages == null ? 2500 : maxBatchMessages;
    idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout;
    requestTimeout = requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
    shutdownTimeout = shutdownTimeout == null ? Duration.ofSeconds(20) : shutdownTimeout;
  }

  static ServerConfig defaults() {
    return new ServerConfig(null, null, null, null, null, null, null, null, null);
  }

  void check(String path, Checks c) {
    c.range(port, 0, 65535, path + ".port");
    c.range(maxMessageBytes, 256, 16 * 1024 * 1024, path + ".maxMessageBytes");
    c.range(maxRequestBytes, maxMessageBytes, 64 * 1024 * 1024, path + ".maxRequestBytes");
    c.range(maxBatchMessages, 1, 100_000, path + ".maxBatchMessages");
    c.between(idleTimeout, Duration.ofSeconds(1), Duration.ofHours(1), path + ".idleTimeout");
    c.between(requestTimeout, Duration.ofSeconds(1), Duration.ofHours(1), path + ".requestTimeout");
    c.between(shutdownTimeout, Duration.ofSeconds(2), Duration.ofMinutes(10),
        path + ".shutdownTimeout");
    if (tls != null) {
      tls.check(path + ".tls", c);
    }
  }
}

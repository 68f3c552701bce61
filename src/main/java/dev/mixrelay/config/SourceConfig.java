package dev.mixrelay.config;

/**
 * One sender: its write key, the destination its messages go to, and the optional webhook secret.
 * {@link #toString()} never shows the write key or the secret.
 */
public record SourceConfig(String name, String writeKey, String destination, String webhookSecret,
    Double maxRequestsPerSecond, Long maxBytesPerSecond) {

  void check(String path, Checks c) {
    c.require(writeKey != null && !writeKey.isBlank(), path + ".writeKey", "is required", null);
    c.require(destination != null && !destination.isBlank(), path + ".destination", "is required", null);
    c.require(maxRequestsPerSecond == null || maxRequestsPerSecond > 0, path + ".maxRequestsPerSecond",
        "must be positive", maxRequestsPerSecond);
    c.require(maxBytesPerSecond == null || maxBytesPerSecond > 0, path + ".maxBytesPerSecond",
        "must be positive", maxBytesPerSecond);
  }

  @Override
  public String toString() {
    return "SourceConfig[name=" + name + ", writeKey=***, destination=" + destination
        + ", webhookSecret=" + (webhookSecret == null ? "none" : "***") + "]";
  }
}

package dev.mixrelay.config;

/** The admin API and debugger; off unless a token is set. */
public record AdminConfig(String token) {
  public static AdminConfig defaults() {
    return new AdminConfig(null);
  }

  public boolean enabled() {
    return token != null && !token.isBlank();
  }

  void check(String path, Checks c) {
    c.require(token == null || token.length() >= 8, path + ".token", "must be at least 8 characters",
        null);
  }

  @Override
  public String toString() {
    return "AdminConfig[token=" + (enabled() ? "***" : "unset") + "]";
  }
}

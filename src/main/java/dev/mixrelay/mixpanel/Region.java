package dev.mixrelay.mixpanel;

/** Mixpanel data residency regions and their ingestion hosts. */
public enum Region {
  US("https://api.mixpanel.com"),
  EU("https://api-eu.mixpanel.com"),
  IN("https://api-in.mixpanel.com");

  private final String host;

  Region(String host) {
    this.host = host;
  }

  /** The base URL, without a trailing slash. */
  public String host() {
    return host;
  }
}

package dev.mixrelay.mixpanel;

/** Mixpanel's ingestion endpoints mixrelay sends to. */
public enum Endpoint {
  /** Events, {@code POST /import} (JSON array, gzip, strict validation). */
  IMPORT("/import"),
  /** User profile operations, {@code POST /engage}. */
  ENGAGE("/engage"),
  /** Group profile operations, {@code POST /groups}. */
  GROUPS("/groups");

  private final String path;

  Endpoint(String path) {
    this.path = path;
  }

  public String path() {
    return path;
  }
}

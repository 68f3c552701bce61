package dev.mixrelay.config;

/** Log format and level. */
public record LoggingConfig(Format format, String level) {
  /** Plain text lines or one JSON object per line. */
  public enum Format { text, json }

  public LoggingConfig {
    format = format == null ? Format.text : format;
    level = level == null ? "INFO" : level;
  }

  public static LoggingConfig defaults() {
    return new LoggingConfig(null, null);
  }

  void check(String path, Checks c) {
    c.require(level.matches("(?i)TRACE|DEBUG|INFO|WARN|ERROR"), path + ".level",
        "must be one of TRACE, DEBUG, INFO, WARN, ERROR", level);
  }
}

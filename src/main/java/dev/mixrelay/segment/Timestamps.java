package dev.mixrelay.segment;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Lenient parsing of the timestamp shapes Segment libraries send (see wire-protocols B.7). */
public final class Timestamps {
  /** The range accepted (years 0001 to 9999): beyond it epoch milliseconds could overflow. */
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  private Timestamps() {}

  /**
   * Parses ISO-8601 with or without an offset (no offset means UTC), a bare date, or epoch
   * milliseconds as digits; returns null when the text is none of these or names a time outside
   * the years 0001 to 9999.
   */
  public static Instant parse(String text) {
    Instant parsed = parseAnyYear(text);
    return parsed == null || !inRange(parsed) ? null : parsed;
  }

  /** Whether {@code instant} lies in the years 0001 to 9999, so its formatted text parses back. */
  public static boolean inRange(Instant instant) {
    return !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
  }

  private static Instant parseAnyYear(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String s = text.trim();
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException ignored) {
      // try the next shape
    }
    try {
      return LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException ignored) {
      // try the next shape
    }
    try {
      return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException ignored) {
      // try the next shape
    }
    if (!s.isEmpty() && s.length() <= 16 && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Instant.ofEpochMilli(Long.parseLong(s));
    }
    return null;
  }

  /** ISO-8601 UTC with milliseconds, the form mixrelay writes. */
  public static String format(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
  }
}

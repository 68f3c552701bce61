package dev.mixrelay.segment;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Lenient parsing of the timestamp shapes Segment libraries send (see wire-protocols B.7). */
public final class Timestamps {
  /** The range accepted (years 0001 to 9999): beyond it epoch milliseconds could overflow. */
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  private Timestamps() {}

  /**
   * Parses a timestamp as Segment reads it: every ISO 8601 form its {@code new-date} accepts
   * (a bare year is 1 January of it, a date is its midnight, reduced precision, offsets, a
   * fraction of any length cut to milliseconds; no offset means UTC), or epoch digits (thirteen
   * or more: milliseconds; ten to twelve: seconds); returns null when the text is none of these
   * or names a time outside the years 0001 to 9999.
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
    if (text == null) {
      return null;
    }
    Instant fast = parseCommon(text);
    return fast != null ? fast : parseAnyShape(text);
  }

  /**
   * The shape nearly every library sends ({@code 2025-03-01T08:00:00.123Z}, an optional fraction
   * of 1 to 9 digits cut to milliseconds, {@code Z}, {@code ±HH:MM} or no offset), read without java.time's parser,
   * which costs about a microsecond a call; null means "not this exact shape", and
   * {@link #parseAnyShape} decides.
   */
  static Instant parseCommon(String s) {
    int n = s.length();
    if (n < 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
        || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    if (year < 1 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0
        || minute > 59 || second < 0 || second > 59
        || day > YearMonth.of(year, month).lengthOfMonth()) {
      return null;
    }
    int i = 19;
    int nanos = 0;
    if (i < n && s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      int count = i - start;
      if (count < 1 || count > 9) {
        return null;
      }
      // as JavaScript's Date: milliseconds, the rest of the fraction cut
      nanos = digits(s, start, Math.min(i, start + 3));
      for (int k = Math.min(count, 3); k < 9; k++) {
        nanos *= 10;
      }
    }
    int offsetSeconds = 0;
    if (i == n - 1 && s.charAt(i) == 'Z') {
      i = n;
    } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, i + 3);
      int om = digits(s, i + 4, i + 6);
      if (oh < 0 || om < 0 || om > 59 || oh > 18 || (oh == 18 && om > 0)) {
        return null;
      }
      offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
      i = n;
    }
    if (i != n) {
      return null;
    }
    long epochDay = LocalDate.of(year, month, day).toEpochDay();
    long seconds = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  /** The decimal value of the ASCII digits in [from, to), or -1 if any is not a digit. */
  private static int digits(String s, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /**
   * ISO 8601 as Segment reads it (the {@code isodate} rules behind its {@code new-date}): a year,
   * an optional month and day (hyphens optional), an optional time after {@code T} or a space
   * (minutes required, seconds and a fraction of any length optional, comma or dot), and an
   * optional {@code Z} or {@code ±HH[[:]MM]}; missing parts are the start of the period, a
   * missing offset is UTC. Groups: 1 year, 2 month, 3 day, 4 hour, 5 minute, 6 second,
   * 7 fraction, 8 Z, 9 sign, 10 offset hours, 11 offset minutes.
   */
  private static final Pattern ISO = Pattern.compile("(\\d{4})(?:-?(\\d{2})(?:-?(\\d{2}))?)?"
      + "(?:[ T](\\d{2}):?(\\d{2})(?::?(\\d{2})(?:[,.](\\d+))?)?"
      + "(?:(Z)|([+-])(\\d{2})(?::?(\\d{2}))?)?)?");
  /** The sloppy shape JavaScript's Date still reads: one-digit month or day, {@code 2015-2-02}. */
  private static final Pattern SLOPPY = Pattern.compile("(\\d{4})-(\\d{1,2})-(\\d{1,2})"
      + "(?:[ T](\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[,.](\\d+))?)?"
      + "(?:(Z)|([+-])(\\d{2}):?(\\d{2})?)?)?");
  /** Epoch numbers below this are seconds (Segment's new-date: before 1971 in milliseconds). */
  public static final long SECONDS_BELOW = 31_557_600_000L;

  /**
   * An epoch number as Segment reads one: milliseconds, or seconds when below
   * {@link #SECONDS_BELOW}; null when outside the years 0001 to 9999.
   */
  public static Instant fromEpochNumber(double value) {
    if (!Double.isFinite(value) || Math.abs(value) > 253_402_300_799_999d) {
      return null;
    }
    long millis = Math.abs(value) < SECONDS_BELOW ? Math.round(value * 1000) : (long) value;
    Instant t = Instant.ofEpochMilli(millis);
    return inRange(t) ? t : null;
  }

  /** Every shape of {@link #parse}: Segment's ISO 8601 forms, then epoch digits. */
  static Instant parseAnyShape(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String s = text.trim();
    Matcher m = ISO.matcher(s);
    if (m.matches()) {
      return fromParts(m);
    }
    m = SLOPPY.matcher(s);
    if (m.matches()) {
      return fromParts(m);
    }
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException ignored) {
      // try the next shape
    }
    if (!s.isEmpty() && s.length() <= 16 && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      long n = Long.parseLong(s);
      // new-date: thirteen digits are milliseconds, ten to twelve seconds
      return s.length() >= 10 && s.length() <= 12 ? Instant.ofEpochSecond(n)
          : Instant.ofEpochMilli(n);
    }
    return null;
  }

  /** The instant the matched parts name, or null when a part is out of its range. */
  private static Instant fromParts(Matcher m) {
    int year = Integer.parseInt(m.group(1));
    int month = part(m, 2, 1);
    int day = part(m, 3, 1);
    int hour = part(m, 4, 0);
    int minute = part(m, 5, 0);
    int second = part(m, 6, 0);
    if (year < 1 || month < 1 || month > 12 || day < 1
        || day > YearMonth.of(year, month).lengthOfMonth() || hour > 24 || minute > 59
        || second > 59 || (hour == 24 && (minute > 0 || second > 0))) {
      return null;
    }
    String fraction = m.group(7);
    int millis = 0;
    if (fraction != null) {
      String three = (fraction + "00").substring(0, 3);
      millis = Integer.parseInt(three);
    }
    int offsetMinutes = 0;
    if (m.group(9) != null) {
      int oh = Integer.parseInt(m.group(10));
      int om = part(m, 11, 0);
      if (oh > 18 || om > 59) {
        return null;
      }
      offsetMinutes = (m.group(9).equals("-") ? -1 : 1) * (oh * 60 + om);
    }
    long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400 + hour * 3600L
        + minute * 60L + second - offsetMinutes * 60L;
    return Instant.ofEpochSecond(seconds, millis * 1_000_000L);
  }

  private static int part(Matcher m, int group, int absent) {
    String g = m.group(group);
    return g == null ? absent : Integer.parseInt(g);
  }

  /**
   * ISO-8601 UTC with milliseconds, the form mixrelay writes ({@code DateTimeFormatter.ISO_INSTANT}
   * of the instant truncated to milliseconds: no fraction when it is zero), written by hand for
   * the years 0001 to 9999 because the formatter costs a microsecond per call on the hot path.
   */
  public static String format(Instant instant) {
    if (!inRange(instant)) {
      return formatAnyYear(instant);
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0,
        ZoneOffset.UTC);
    int millis = instant.getNano() / 1_000_000;
    char[] out = new char[millis == 0 ? 20 : 24];
    put(out, 0, t.getYear(), 4);
    out[4] = '-';
    put(out, 5, t.getMonthValue(), 2);
    out[7] = '-';
    put(out, 8, t.getDayOfMonth(), 2);
    out[10] = 'T';
    put(out, 11, t.getHour(), 2);
    out[13] = ':';
    put(out, 14, t.getMinute(), 2);
    out[16] = ':';
    put(out, 17, t.getSecond(), 2);
    if (millis != 0) {
      out[19] = '.';
      put(out, 20, millis, 3);
    }
    out[out.length - 1] = 'Z';
    return new String(out);
  }

  private static void put(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /** {@link #format} through java.time, for any instant. */
  static String formatAnyYear(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(
        instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
  }
}

package dev.mixrelay.session;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Local days of the project time zone: the instant at which the local date of a time ends (the
 * next date's start by the zone rules, so DST days last 23 or 25 hours). Caches the last day asked
 * for, since nearly every question is about the current one. Not thread-safe.
 */
final class LocalDays {
  private final ZoneId zone;
  private long cachedStart = Long.MAX_VALUE;
  private long cachedEnd = Long.MIN_VALUE;

  LocalDays(ZoneId zone) {
    this.zone = zone;
  }

  /** The first instant (epoch ms) after the local date of {@code timeMillis}. */
  long endOfDay(long timeMillis) {
    if (timeMillis >= cachedStart && timeMillis < cachedEnd) {
      return cachedEnd;
    }
    LocalDate date = LocalDate.ofInstant(Instant.ofEpochMilli(timeMillis), zone);
    cachedStart = date.atStartOfDay(zone).toInstant().toEpochMilli();
    cachedEnd = date.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
    return cachedEnd;
  }
}

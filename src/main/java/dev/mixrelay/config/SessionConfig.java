package dev.mixrelay.config;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/** How a destination's outgoing stream is sessionized (Mixpanel's definition). */
public record SessionConfig(
    Mode mode,
    Duration timeout,
    String startEvent,
    String endEvent,
    String sessionIdProperty,
    String timezone,
    List<String> excludedEvents,
    List<String> extraProperties,
    Duration allowedLateness,
    String startEventName,
    String endEventName,
    Integer maxUsersInMemory,
    Integer maxHeldEvents,
    Duration backfillGrace) {

  /** Session definition. */
  public enum Mode { timeout, event, property, off }

  public SessionConfig {
    mode = mode == null ? Mode.timeout : mode;
    timeout = timeout == null ? Duration.ofMinutes(30) : timeout;
    timezone = timezone == null ? "UTC" : timezone;
    excludedEvents = excludedEvents == null ? List.of() : List.copyOf(excludedEvents);
    extraProperties = extraProperties == null ? List.of() : List.copyOf(extraProperties);
    allowedLateness = allowedLateness == null ? Duration.ofSeconds(60) : allowedLateness;
    startEventName = startEventName == null ? "Session Start" : startEventName;
    endEventName = endEventName == null ? "Session End" : endEventName;
    maxUsersInMemory = maxUsersInMemory == null ? 100_000 : maxUsersInMemory;
    maxHeldEvents = maxHeldEvents == null ? 1_000_000 : maxHeldEvents;
    backfillGrace = backfillGrace == null ? Duration.ofSeconds(5) : backfillGrace;
  }

  /** Without {@code backfillGrace} (its default). */
  public SessionConfig(Mode mode, Duration timeout, String startEvent, String endEvent,
      String sessionIdProperty, String timezone, List<String> excludedEvents,
      List<String> extraProperties, Duration allowedLateness, String startEventName,
      String endEventName, Integer maxUsersInMemory, Integer maxHeldEvents) {
    this(mode, timeout, startEvent, endEvent, sessionIdProperty, timezone, excludedEvents,
        extraProperties, allowedLateness, startEventName, endEventName, maxUsersInMemory,
        maxHeldEvents, null);
  }

  public static SessionConfig defaults() {
    return new SessionConfig(null, null, null, null, null, null, null, null, null, null, null, null,
        null);
  }

  /** The project time zone; valid after the config has loaded. */
  public ZoneId zone() {
    return ZoneId.of(timezone);
  }

  void check(String path, Checks c) {
    c.between(timeout, Duration.ofMinutes(1), Duration.ofHours(24), path + ".timeout");
    c.between(allowedLateness, Duration.ZERO, Duration.ofHours(24), path + ".allowedLateness");
    try {
      ZoneId.of(timezone);
    } catch (DateTimeException e) {
      c.add(path + ".timezone must be a time zone id such as UTC or Europe/Berlin, was " + timezone);
    }
    if (mode == Mode.event) {
      c.require(startEvent != null && !startEvent.isBlank(), path + ".startEvent",
          "is required when mode is event", null);
      c.require(endEvent != null && !endEvent.isBlank(), path + ".endEvent",
          "is required when mode is event", null);
    }
    if (mode == Mode.property) {
      c.require(sessionIdProperty != null && !sessionIdProperty.isBlank(), path + ".sessionIdProperty",
          "is required when mode is property", null);
    }
    c.require(!startEventName.isBlank(), path + ".startEventName", "must not be empty", null);
    c.require(!endEventName.isBlank(), path + ".endEventName", "must not be empty", null);
    c.range(maxUsersInMemory, 100, 100_000_000, path + ".maxUsersInMemory");
    c.range(maxHeldEvents, 1_000, 100_000_000, path + ".maxHeldEvents");
    c.between(backfillGrace, Duration.ofMillis(100), Duration.ofMinutes(10),
        path + ".backfillGrace");
  }
}

package dev.mixrelay.config;

import java.time.Duration;
import java.util.List;

/** Collects configuration errors as one line each: "path must ..., was ...". */
final class Checks {
  private final List<String> errors;

  Checks(List<String> errors) {
    this.errors = errors;
  }

  void require(boolean ok, String path, String rule, Object was) {
    if (!ok) {
      errors.add(path + " " + rule + (was == null ? "" : ", was " + was));
    }
  }

  void between(Duration d, Duration min, Duration max, String path) {
    if (d != null) {
      require(d.compareTo(min) >= 0 && d.compareTo(max) <= 0, path,
          "must be between " + Durations.format(min) + " and " + Durations.format(max),
          Durations.format(d));
    }
  }

  void range(long v, long min, long max, String path) {
    require(v >= min && v <= max, path, "must be between " + min + " and " + max, v);
  }

  void add(String error) {
    errors.add(error);
  }
}

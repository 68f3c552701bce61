package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.mixrelay.segment.Timestamps;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * The legacy integration's profile dates ({@code legacyProfileFields}): {@code $created} as
 * UTC without milliseconds or zone ({@code 2013-01-01T00:00:00}), any other trait written as an
 * ISO 8601 date as full ISO with milliseconds ({@code 2014-01-01T00:00:00.000Z}).
 */
final class LegacyDates {
  private static final Pattern ISO_DATE =
      Pattern.compile("^\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?$");
  private static final DateTimeFormatter WITH_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter CREATED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private LegacyDates() {}

  static JsonNode of(String key, JsonNode value) {
    if (value == null || !value.isTextual() || !ISO_DATE.matcher(value.asText()).matches()) {
      return value;
    }
    Instant at = Timestamps.parse(value.asText());
    if (at == null) {
      return value;
    }
    return TextNode.valueOf(key.equals("$created") ? CREATED.format(at) : WITH_MILLIS.format(at));
  }
}

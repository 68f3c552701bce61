package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.Durations;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads and runs the session golden timelines under {@code golden/session/<mode>/<behaviour>/}:
 * {@code input.json} = {description, sessions (the config block, YAML key names), events (the
 * {@code /import} records in arrival order)}; {@code expected.json} = the session records, sorted
 * by time then event name. Shared with the end-to-end test, which sends the same events over HTTP.
 */
final class GoldenTimelines {
  static final Path ROOT = Path.of("src/test/resources/golden/session");
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private GoldenTimelines() {}

  static Stream<Path> cases() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(p -> p.getFileName().toString().equals("input.json"))
          .map(Path::getParent).sorted().toList().stream();
    }
  }

  static JsonNode read(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The session config of an input's {@code sessions} block. */
  static SessionConfig config(JsonNode s) {
    return new SessionConfig(
        s.has("mode") ? SessionConfig.Mode.valueOf(s.get("mode").asText()) : null,
        s.has("timeout") ? Durations.parse(s.get("timeout").asText()) : null,
        text(s, "startEvent"), text(s, "endEvent"), text(s, "sessionIdProperty"),
        text(s, "timezone"), list(s, "excludedEvents"), list(s, "extraProperties"),
        s.has("allowedLateness") ? Durations.parse(s.get("allowedLateness").asText()) : null,
        text(s, "startEventName"), text(s, "endEventName"), null, null);
  }

  /** Feeds the events one log offset each, wall clock = newest event time, then flushes. */
  static ArrayNode run(JsonNode input) {
    Sessionizer sessionizer = Sessionizer.create(config(input.get("sessions")),
        MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, SessionListener.NONE);
    List<MixpanelRecord> out = new ArrayList<>();
    long wall = 0;
    long offset = 0;
    for (JsonNode e : input.get("events")) {
      wall = Math.max(wall, e.get("properties").get("time").asLong());
      out.addAll(sessionizer.onEvents(++offset,
          List.of(new MixpanelRecord(Endpoint.IMPORT, (ObjectNode) e.deepCopy())), wall));
    }
    out.addAll(sessionizer.onTick(wall + 3 * 86_400_000L));
    return sorted(out);
  }

  /** The records' bodies by time, a session's start before its end, as JSON would read them. */
  static ArrayNode sorted(List<MixpanelRecord> records) {
    ArrayNode arr = JSON.createArrayNode();
    records.stream().map(MixpanelRecord::body)
        .sorted(Comparator.<JsonNode>comparingLong(b -> b.get("properties").get("time").asLong())
            .thenComparing(b -> b.get("properties").has(SessionRecords.DURATION)
                && b.get("properties").get(SessionRecords.DURATION).asDouble() > 0)
            .thenComparing(b -> b.get("properties").get("$insert_id").asText()))
        .forEach(arr::add);
    try {
      return (ArrayNode) JSON.readTree(JSON.writeValueAsString(arr));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(JsonNode s, String field) {
    return s.hasNonNull(field) ? s.get(field).asText() : null;
  }

  private static List<String> list(JsonNode s, String field) {
    List<String> out = new ArrayList<>();
    if (s.has(field)) {
      s.get(field).forEach(v -> out.add(v.asText()));
    }
    return out;
  }
}

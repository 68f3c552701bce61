package dev.mixrelay.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.deliver.DeadLetter;
import dev.mixrelay.deliver.DeadLetterSink;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.log.DeadLetterRow;
import dev.mixrelay.log.IntakeLog;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lists dead letters and replays them: each stored Mixpanel record is sent again through delivery
 * and removed once it is done. A dead-lettered Segment message (one the relay could not
 * translate) is not replayable as a record and is reported as skipped.
 */
public final class DeadLetterReplay {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PAGE = 500;

  private final IntakeLog log;
  private final RelayConfig config;
  private final Delivery delivery;

  public DeadLetterReplay(IntakeLog log, RelayConfig config, Delivery delivery) {
    this.log = log;
    this.config = config;
    this.delivery = delivery;
  }

  /** Where delivery's dead letters go: the intake log's dead-letter table. */
  public static DeadLetterSink sinkInto(IntakeLog log) {
    return letters -> {
      List<DeadLetterRow> rows = new ArrayList<>(letters.size());
      for (DeadLetter d : letters) {
        rows.add(new DeadLetterRow(0, d.destination(), d.endpoint().path(), d.record(), d.reason(),
            d.time().toEpochMilli()));
      }
      return log.addDeadLetters(rows);
    };
  }

  public Future<JsonObject> list(String destination, long afterId, int limit) {
    return log.listDeadLetters(destination, afterId, limit).map(rows -> {
      JsonArray items = new JsonArray();
      long last = afterId;
      for (DeadLetterRow r : rows) {
        items.add(new JsonObject().put("id", r.id()).put("destination", r.destination())
            .put("endpoint", r.endpoint()).put("reason", r.reason()).put("createdAt", r.createdAtMillis())
            .put("record", r.record()));
        last = r.id();
      }
      return new JsonObject().put("deadLetters", items).put("next", last);
    });
  }

  /** Replays the dead letters of one destination (or all) and, when given, only those ids. */
  public Future<JsonObject> replay(JsonObject request) {
    String destination = request.getString("destination");
    if (destination != null && !config.destinations().containsKey(destination)) {
      return Future.failedFuture("destination '" + destination + "' is not configured");
    }
    Set<Long> only = new HashSet<>();
    JsonArray ids = request.getJsonArray("ids");
    if (ids != null) {
      ids.forEach(o -> only.add(((Number) o).longValue()));
    }
    return replayFrom(destination, only, 0, new int[3], new java.util.TreeMap<>());
  }

  private Future<JsonObject> replayFrom(String destination, Set<Long> only, long after, int[] counts,
      Map<String, Integer> why) {
    return log.listDeadLetters(destination, after, PAGE).compose(rows -> {
      if (rows.isEmpty()) {
        JsonObject result = new JsonObject().put("replayed", counts[0]).put("skipped", counts[1]);
        if (!why.isEmpty()) {
          result.put("skippedBecause", new JsonObject(new LinkedHashMap<>(why)));
        }
        return Future.succeededFuture(result.put("success", true));
      }
      Map<String, List<MixpanelRecord>> byDest = new LinkedHashMap<>();
      List<Long> done = new ArrayList<>();
      for (DeadLetterRow r : rows) {
        if (!only.isEmpty() && !only.contains(r.id())) {
          continue;
        }
        MixpanelRecord record = toRecord(r);
        if (record == null || !config.destinations().containsKey(r.destination())) {
          counts[1]++;
          why.merge(record == null && "segment".equals(r.endpoint())
              ? "a Segment message the relay could not translate (its reason says why; fix it and"
                  + " send it again from the source)"
              : record == null ? "not a Mixpanel record the relay can send again"
              : "destination " + r.destination() + " is no longer configured", 1, Integer::sum);
          continue;
        }
        byDest.computeIfAbsent(r.destination(), k -> new ArrayList<>()).add(record);
        done.add(r.id());
      }
      List<Future<Void>> sends = new ArrayList<>();
      byDest.forEach((d, records) -> sends.add(delivery.send(config.destinations().get(d), records)));
      long next = rows.get(rows.size() - 1).id();
      return Future.all(sends)
          .compose(x -> done.isEmpty() ? Future.succeededFuture(0) : log.deleteDeadLetters(done))
          .compose(n -> {
            counts[0] += n;
            return replayFrom(destination, only, next, counts, why);
          });
    });
  }

  private static MixpanelRecord toRecord(DeadLetterRow r) {
    Endpoint endpoint = null;
    for (Endpoint e : Endpoint.values()) {
      if (e.path().equals(r.endpoint()) || e.name().equalsIgnoreCase(r.endpoint())) {
        endpoint = e;
      }
    }
    if (endpoint == null) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(r.record());
      return node instanceof ObjectNode o ? new MixpanelRecord(endpoint, o) : null;
    } catch (Exception e) {
      return null;
    }
  }
}

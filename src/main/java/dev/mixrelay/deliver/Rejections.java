package dev.mixrelay.deliver;

import dev.mixrelay.deliver.DeliveryOutcome.Rejection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a partial rejection to a batch: the named records are dead-lettered with Mixpanel's
 * reason, every other record is done. A rejection is matched by index, checked against its
 * {@code insert_id} when Mixpanel gives one (falling back to a search by that id).
 */
final class Rejections {
  private static final Logger LOG = LoggerFactory.getLogger(Rejections.class);

  private Rejections() {}

  static void apply(String destination, Batch batch, List<Rejection> rejections,
      DeadLetterWriter deadLetters) {
    Map<Integer, String> rejected = new LinkedHashMap<>();
    Map<String, Integer> byInsertId = null;
    for (Rejection r : rejections) {
      int index = r.index() >= 0 && r.index() < batch.items.size() ? r.index() : -1;
      if (r.insertId() != null
          && (index < 0 || !r.insertId().equals(batch.items.get(index).record().insertId()))) {
        if (byInsertId == null) {
          byInsertId = indexByInsertId(batch);
        }
        index = byInsertId.getOrDefault(r.insertId(), index);
      }
      if (index < 0) {
        LOG.warn("destination {} {}: Mixpanel rejected a record the relay cannot identify"
            + " (index {}): {}", destination, batch.endpoint.path(), r.index(), r.reason());
      } else {
        rejected.putIfAbsent(index, r.reason());
      }
    }
    List<Item> dead = new ArrayList<>(rejected.size());
    List<String> reasons = new ArrayList<>(rejected.size());
    for (int i = 0; i < batch.items.size(); i++) {
      Item item = batch.items.get(i);
      String reason = rejected.get(i);
      if (reason == null) {
        item.done();
      } else {
        dead.add(item);
        reasons.add(reason);
      }
    }
    deadLetters.write(destination, batch.endpoint, dead, reasons);
  }

  private static Map<String, Integer> indexByInsertId(Batch batch) {
    Map<String, Integer> out = new HashMap<>();
    for (int i = 0; i < batch.items.size(); i++) {
      String id = batch.items.get(i).record().insertId();
      if (id != null) {
        out.putIfAbsent(id, i);
      }
    }
    return out;
  }
}

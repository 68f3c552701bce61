package dev.mixrelay.mock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Everything the mock accepted: events de-duplicated as Mixpanel does (event, distinct_id, time,
 * $insert_id; the latest copy is kept), profile and group operations, and counters. Thread-safe
 * (one lock; callers parse and hash outside it). Record bodies are kept up to a byte budget; past
 * it only counters and de-duplication keys grow (about 40 bytes per event).
 */
final class RecordStore {

  /**
   * An event that passed validation; {@code tuple} and {@code insertKey} are computed by the
   * caller.
   */
  record NewEvent(
      String event,
      String distinctId,
      long timeMs,
      String insertId,
      KeySet128.Key tuple,
      KeySet128.Key insertKey,
      byte[] json) {}

  /** One stored event; {@code json} is replaced by a later duplicate. */
  static final class StoredEvent {
    final String event;
    final String distinctId;
    final long timeMs;
    byte[] json;

    StoredEvent(String event, String distinctId, long timeMs, byte[] json) {
      this.event = event;
      this.distinctId = distinctId;
      this.timeMs = timeMs;
      this.json = json;
    }
  }

  /** One stored profile or group operation. */
  record StoredOp(String key, String groupId, String op, byte[] json) {}

  static final String SESSION_START = "Session Start";
  static final String SESSION_END = "Session End";
  private static final int INTERN_LIMIT = 100_000;

  private final long retainBytes;
  private final KeySet128 tuples = new KeySet128();
  private final KeySet128 insertIds = new KeySet128();
  private InsertIdDigest eventIds = new InsertIdDigest();
  private InsertIdDigest sessionIds = new InsertIdDigest();
  private final List<StoredEvent> events = new ArrayList<>();
  private final List<StoredOp> engage = new ArrayList<>();
  private final List<StoredOp> groups = new ArrayList<>();
  private final Map<String, String> interned = new HashMap<>();
  private final Map<String, Long> byStatus = new TreeMap<>();
  private long retained;
  private long accepted;
  private long unique;
  private long duplicates;
  private long engageOps;
  private long groupOps;
  private long rejected;
  private long requests;
  private long sessionStarts;
  private long sessionEnds;
  private long notRetained;

  RecordStore(long retainBytes) {
    this.retainBytes = retainBytes;
  }

  synchronized void addEvents(List<NewEvent> batch) {
    for (NewEvent e : batch) {
      accepted++;
      if (e.insertKey() != null && insertIds.putIfAbsent(e.insertKey(), 0)) {
        boolean session = SESSION_START.equals(e.event()) || SESSION_END.equals(e.event());
        (session ? sessionIds : eventIds).add(e.insertKey());
      }
      int existing = e.tuple() == null ? Integer.MIN_VALUE : tuples.get(e.tuple());
      if (existing != Integer.MIN_VALUE) {
        duplicates++;
        if (existing >= 0) {
          StoredEvent s = events.get(existing);
          retained += e.json().length - s.json.length;
          s.json = e.json();
        }
        continue;
      }
      unique++;
      if (SESSION_START.equals(e.event())) {
        sessionStarts++;
      } else if (SESSION_END.equals(e.event())) {
        sessionEnds++;
      }
      int index = -1;
      if (retained + e.json().length <= retainBytes) {
        index = events.size();
        events.add(
            new StoredEvent(intern(e.event()), intern(e.distinctId()), e.timeMs(), e.json()));
        retained += e.json().length;
      } else {
        notRetained++;
      }
      if (e.tuple() != null) {
        tuples.putIfAbsent(e.tuple(), index);
      }
    }
  }

  synchronized void addOps(boolean group, List<StoredOp> ops) {
    for (StoredOp op : ops) {
      if (group) {
        groupOps++;
      } else {
        engageOps++;
      }
      if (retained + op.json().length <= retainBytes) {
        (group ? groups : engage).add(op);
        retained += op.json().length;
      }
    }
  }

  synchronized void rejected(int n) {
    rejected += n;
  }

  synchronized void answered(String status) {
    requests++;
    byStatus.merge(status, 1L, Long::sum);
  }

  /** The stored events that match, in arrival order, at most {@code limit}. */
  synchronized List<StoredEvent> events(Predicate<StoredEvent> filter, int limit) {
    List<StoredEvent> out = new ArrayList<>();
    for (StoredEvent e : events) {
      if (out.size() >= limit) {
        break;
      }
      if (filter.test(e)) {
        out.add(new StoredEvent(e.event, e.distinctId, e.timeMs, e.json));
      }
    }
    return out;
  }

  synchronized List<StoredOp> ops(boolean group, Predicate<StoredOp> filter, int limit) {
    List<StoredOp> out = new ArrayList<>();
    for (StoredOp op : group ? groups : engage) {
      if (out.size() >= limit) {
        break;
      }
      if (filter.test(op)) {
        out.add(op);
      }
    }
    return out;
  }

  synchronized MockCounts counts() {
    return new MockCounts(
        accepted,
        unique,
        duplicates,
        insertIds.size(),
        engageOps,
        groupOps,
        rejected,
        sessionStarts,
        sessionEnds,
        notRetained,
        requests,
        new TreeMap<>(byStatus),
        eventIds.value(),
        sessionIds.value());
  }

  synchronized void clear() {
    tuples.clear();
    insertIds.clear();
    eventIds = new InsertIdDigest();
    sessionIds = new InsertIdDigest();
    events.clear();
    engage.clear();
    groups.clear();
    interned.clear();
    byStatus.clear();
    retained = 0;
    accepted = 0;
    unique = 0;
    duplicates = 0;
    engageOps = 0;
    groupOps = 0;
    rejected = 0;
    requests = 0;
    sessionStarts = 0;
    sessionEnds = 0;
    notRetained = 0;
  }

  private String intern(String s) {
    String known = interned.get(s);
    if (known != null) {
      return known;
    }
    if (interned.size() < INTERN_LIMIT) {
      interned.put(s, s);
    }
    return s;
  }
}

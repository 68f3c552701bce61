package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A destination's stream split over tasks as the Kafka Streams mode runs it, for the tests: a
 * {@link Router} sends each record to the task owning its session key (and a link-only copy to the
 * device's task), every task runs a {@link Sessionizer} of its keys, and handoffs go to the owners
 * of their user keys, at once or after the receiver processed a few more inputs. Every input of a
 * task is logged, so a task can crash, restore a checkpoint and replay.
 */
final class SplitRun {
  /** A carry wait no test stream reaches. */
  static final long NEVER = 365L * 86_400_000L;
  private static final long DAY = 86_400_000L;

  /** Routes records by session key, as the cluster's router does. */
  static final class Router {
    final int tasks;
    private final int salt;
    private final boolean copyWithinTask;
    private final Map<String, String> links = new HashMap<>();

    Router(int tasks, int salt, boolean copyWithinTask) {
      this.tasks = tasks;
      this.salt = salt;
      this.copyWithinTask = copyWithinTask;
    }

    int owner(String key) {
      int h = (key.hashCode() ^ salt) * 0x9e3779b1;
      return Math.floorMod(h ^ (h >>> 15), tasks);
    }

    /**
     * The (task, record) pairs of one record: its key is {@code $user_id}, else the user the router
     * linked its device to, else {@code $device:}+device, else distinct_id. A record linking a
     * device to a user other than the one known (or to the first) also goes, as a link-only
     * {@code $identify}, to the device's task.
     */
    List<Map.Entry<Integer, ObjectNode>> route(ObjectNode record) {
      ObjectNode p = (ObjectNode) record.get("properties");
      String user = p.hasNonNull("$user_id") ? p.get("$user_id").asText() : null;
      String device = p.hasNonNull("$device_id") ? p.get("$device_id").asText() : null;
      List<Map.Entry<Integer, ObjectNode>> out = new ArrayList<>();
      String key;
      if (user != null) {
        key = user;
        if (device != null) {
          String known = links.putIfAbsent(device, user);
          int deviceTask = owner("$device:" + device);
          if (!user.equals(known) && (copyWithinTask || deviceTask != owner(user))) {
            out.add(Map.entry(deviceTask, linkCopy(p, user, device)));
          }
        }
      } else if (device != null) {
        key = links.getOrDefault(device, "$device:" + device);
      } else {
        key = p.get("distinct_id").asText();
      }
      out.add(0, Map.entry(owner(key), record));
      return out;
    }

    private static ObjectNode linkCopy(ObjectNode p, String user, String device) {
      ObjectNode c = p.objectNode();
      c.set("time", p.get("time"));
      c.put("distinct_id", user);
      c.put("$user_id", user);
      c.put("$device_id", device);
      c.put("$insert_id", "link:" + p.path("$insert_id").asText());
      return p.objectNode().put("event", "$identify").set("properties", c);
    }
  }

  /** One input of a task, kept for a replay. */
  private record Op(long offset, ObjectNode record, byte[] handoff, long wall) {}

  /** When one task checkpoints, crashes and replays (counts of its inputs). */
  record Crash(int task, int checkpointAt, int crashAt, int replayFrom) {}

  private static final class Task {
    Sessionizer sessionizer;
    final List<Op> log = new ArrayList<>();
    long offset;
    byte[] checkpoint;
    /** How many inputs the checkpoint reflects. */
    int checkpointAt;
    boolean crashed;
    /** The entries drained from the sessionizer, latest per key (with {@link #swaps}). */
    final Map<String, byte[]> store = new HashMap<>();
  }

  private record InFlight(Handoff handoff, int task, int dueAt) {}

  private final SessionConfig config;
  private final Router router;
  private final SessionListener listener;
  private final Task[] tasks;
  private final Random delays;
  private final int maxDelay;
  private final Crash crash;
  private final long carryWait;
  /** When set, tasks drain their changes after every input and at random restart from them. */
  private Random swaps;
  private int swapped;
  private final List<InFlight> inFlight = new ArrayList<>();
  /** Every handoff sent, by id: one re-sent in a replay must be the same bytes. */
  private final Map<String, byte[]> sent = new HashMap<>();
  private final List<MixpanelRecord> out = new ArrayList<>();

  SplitRun(SessionConfig config, Router router, SessionListener listener, long carryWait,
      Random delays, int maxDelay, Crash crash) {
    this.config = config;
    this.router = router;
    this.listener = listener;
    this.delays = delays;
    this.maxDelay = maxDelay;
    this.crash = crash;
    this.carryWait = carryWait;
    this.tasks = new Task[router.tasks];
    for (int i = 0; i < tasks.length; i++) {
      int task = i;
      tasks[i] = new Task();
      tasks[i].sessionizer = Sessionizer.create(config,
          MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, listener,
          key -> router.owner(key) == task, carryWait);
      tasks[i].checkpoint = tasks[i].sessionizer.snapshot();
    }
  }

  /** One sessionizer over the whole stream, with the same ticks: what the split must equal. */
  static List<MixpanelRecord> whole(SessionConfig config, List<ObjectNode> arrivals,
      List<Long> walls, boolean[] ticks) {
    Sessionizer z = Sessionizer.create(config, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
        SessionListener.NONE);
    List<MixpanelRecord> out = new ArrayList<>();
    for (int i = 0; i < arrivals.size(); i++) {
      if (ticks[i]) {
        out.addAll(z.onTick(walls.get(i)));
      }
      out.addAll(z.onEvents(i, List.of(record(arrivals.get(i))), walls.get(i)));
    }
    out.addAll(z.onTick(walls.get(walls.size() - 1) + 3 * DAY));
    return out;
  }

  /** Runs the stream over the tasks and returns every session record any task emitted. */
  List<MixpanelRecord> run(List<ObjectNode> arrivals, List<Long> walls, boolean[] ticks) {
    long wall = 0;
    for (int i = 0; i < arrivals.size(); i++) {
      wall = walls.get(i);
      if (ticks[i]) {
        for (int t = 0; t < tasks.length; t++) {
          input(t, new Op(0, null, null, wall));
        }
      }
      for (Map.Entry<Integer, ObjectNode> r : router.route(arrivals.get(i))) {
        Task task = tasks[r.getKey()];
        input(r.getKey(), new Op(++task.offset, r.getValue(), null, wall));
      }
      deliver(wall, false);
    }
    deliver(wall, true);
    if (crash != null && !tasks[crash.task()].crashed) {
      crash(crash.task());
      deliver(wall, true);
    }
    for (int round = 1; round <= 3; round++) {
      for (int t = 0; t < tasks.length; t++) {
        input(t, new Op(0, null, null, wall + round * 3 * DAY));
      }
      deliver(wall + round * 3 * DAY, true);
    }
    return out;
  }

  /**
   * Makes every task drain its changes after each input into its store, and at random replace its
   * sessionizer by a new one restored from those entries, which must hold the same state.
   */
  SplitRun swapFromEntries(Random swaps) {
    this.swaps = swaps;
    return this;
  }

  /** How many times a task was replaced by one restored from its entries. */
  int swapped() {
    return swapped;
  }

  Sessionizer task(int i) {
    return tasks[i].sessionizer;
  }

  private void input(int t, Op op) {
    Task task = tasks[t];
    task.log.add(op);
    apply(task.sessionizer, op);
    if (crash != null && crash.task() == t && !task.crashed) {
      if (task.log.size() == crash.checkpointAt()) {
        task.checkpoint = task.sessionizer.snapshot();
        task.checkpointAt = task.log.size();
      }
      if (task.log.size() == crash.crashAt()) {
        crash(t);
      }
    }
    if (swaps != null) {
      drain(task);
      if (swaps.nextInt(6) == 0) {
        Sessionizer restored = Sessionizer.create(config,
            MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, listener, key -> router.owner(key) == t,
            carryWait);
        restored.restoreEntries(Map.copyOf(task.store).entrySet().iterator());
        String want = NormalState.of(task.sessionizer.snapshot());
        String got = NormalState.of(restored.snapshot());
        if (!want.equals(got)) {
          throw new AssertionError("task " + t + " restored from its entries differs:\n" + got
              + "\nwanted:\n" + want);
        }
        task.sessionizer = restored;
        swapped++;
      }
    }
  }

  private static void drain(Task task) {
    task.sessionizer.drainChanges((key, value) -> {
      if (value == null) {
        task.store.remove(key);
      } else {
        task.store.put(key, value);
      }
    });
  }

  /**
   * Restores the checkpoint in a new sessionizer and replays the log from replayFrom (or from the
   * checkpoint, if it was taken earlier), as Kafka re-reads inputs from the last commit.
   */
  private void crash(int t) {
    Task task = tasks[t];
    task.crashed = true;
    task.sessionizer = Sessionizer.create(config, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
        listener, key -> router.owner(key) == t, SplitRun.NEVER);
    task.sessionizer.restore(task.checkpoint);
    task.store.clear(); // the new sessionizer's first drain gives its whole state
    int from = Math.min(crash.replayFrom(), task.checkpointAt);
    for (Op op : task.log.subList(from, task.log.size())) {
      apply(task.sessionizer, op);
    }
  }

  private void apply(Sessionizer z, Op op) {
    if (op.record() != null) {
      out.addAll(z.onEvents(op.offset(), List.of(record(op.record())), op.wall()));
    } else if (op.handoff() != null) {
      out.addAll(z.adopt(Handoff.fromBytes(op.handoff()), op.wall()));
    } else {
      out.addAll(z.onTick(op.wall()));
    }
    for (Handoff h : z.takeHandoffs()) {
      byte[] before = sent.putIfAbsent(h.id(), h.toBytes());
      if (before != null && !Arrays.equals(before, h.toBytes())) {
        throw new AssertionError("a replay sent other bytes for " + h);
      }
      int to = router.owner(h.userKey());
      int delay = maxDelay == 0 ? 0 : delays.nextInt(maxDelay + 1);
      inFlight.add(new InFlight(h, to, tasks[to].log.size() + delay));
    }
  }

  /** Gives the handoffs that are due (all with {@code all}) to their receivers. */
  private void deliver(long wall, boolean all) {
    boolean any = true;
    while (any) {
      any = false;
      Iterator<InFlight> it = inFlight.iterator();
      List<InFlight> due = new ArrayList<>();
      while (it.hasNext()) {
        InFlight f = it.next();
        if (all || f.dueAt() <= tasks[f.task()].log.size()) {
          due.add(f);
          it.remove();
        }
      }
      for (InFlight f : due) {
        any = true;
        input(f.task(), new Op(0, null, f.handoff().toBytes(), wall));
      }
    }
  }

  static MixpanelRecord record(ObjectNode body) {
    return new MixpanelRecord(Endpoint.IMPORT, body.deepCopy());
  }

  /** The distinct records as JSON trees, in a stable order. */
  static List<JsonNode> distinct(List<MixpanelRecord> records) {
    List<JsonNode> out = new ArrayList<>();
    GoldenTimelines.sorted(records).forEach(n -> {
      if (!out.contains(n)) {
        out.add(n);
      }
    });
    return out;
  }
}

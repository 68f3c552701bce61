package dev.mixrelay.session;

import dev.mixrelay.session.SessionListener.Reason;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The deadlines of the open sessions: in wall-clock time (once the user sent nothing for timeout +
 * allowedLateness) and, for the backfill rule, in event time (once the destination's watermark
 * passed the session and the user sent nothing for {@code backfillGrace}).
 * One entry sits in both queues and speaks for a user's state while the state's {@code timer} is
 * its id; deadlines only grow, so an entry is re-queued, never updated in place.
 */
final class Timers {
  private static final class Timer {
    final String key;
    final int id;
    long eventAt;
    long wallAt;
    /** A backfill-rule entry: at the user's last arrival + backfillGrace, dropped if not due. */
    final boolean grace;

    Timer(String key, int id, long eventAt, long wallAt, boolean grace) {
      this.key = key;
      this.id = id;
      this.eventAt = eventAt;
      this.wallAt = wallAt;
      this.grace = grace;
    }
  }

  private final SessionMachine machine;
  private final UserStore users;
  private int ids;
  /** Ties by key: a restored state closes what falls due at once in the same order. */
  private final PriorityQueue<Timer> byWall = new PriorityQueue<>(
      Comparator.<Timer>comparingLong(t -> t.wallAt).thenComparing(t -> t.key));
  private final PriorityQueue<Timer> byEvent = new PriorityQueue<>(
      Comparator.<Timer>comparingLong(t -> t.eventAt).thenComparing(t -> t.key));

  Timers(SessionMachine machine, UserStore users) {
    this.machine = machine;
    this.users = users;
  }

  /** Makes a new entry speak for the user's state (an older one goes stale). */
  void schedule(String key, UserState s) {
    Timer t = new Timer(key, ++ids, machine.deadline(s), machine.wallDeadline(s), false);
    s.timer = t.id;
    byWall.add(t);
    byEvent.add(t);
  }

  /**
   * The backfill rule's first half: the sessions the destination's {@code watermark} passed get a
   * wall-clock entry at their user's last arrival + {@code graceMillis}, where {@link #onWall}
   * closes them if the user stayed quiet.
   */
  void onWatermark(long watermark, long graceMillis) {
    while (!byEvent.isEmpty() && byEvent.peek().eventAt <= watermark) {
      Timer t = byEvent.poll();
      UserState s = users.peek(t.key);
      if (s == null || s.timer != t.id) {
        continue;
      }
      long deadline = machine.deadline(s);
      if (deadline > watermark) { // the session went on since: its deadline moved
        t.eventAt = deadline;
        byEvent.add(t);
      } else {
        byWall.add(new Timer(t.key, t.id, deadline, plus(s.lastArrival, graceMillis), true));
      }
    }
  }

  /**
   * Closes the sessions idle on the wall clock at {@code wallNow}, unless an event not yet placed
   * (the earliest at {@code heldFrom}, {@code Long.MAX_VALUE} if none) could still extend them.
   */
  void onWall(long wallNow, long watermark, long graceMillis,
      java.util.function.ToLongFunction<String> heldFrom, List<Closed> closed) {
    while (!byWall.isEmpty() && byWall.peek().wallAt <= wallNow) {
      Timer t = byWall.poll();
      UserState s = users.lookup(t.key);
      if (s == null || s.timer != t.id) {
        users.settle(t.key, s, s);
        continue;
      }
      long deadline = machine.deadline(s);
      boolean held = deadline > heldFrom.applyAsLong(t.key);
      if (!t.grace && !held && machine.wallDeadline(s) <= wallNow) {
        closed.add(machine.close(t.key, s, Reason.WALL_CLOCK));
        users.settle(t.key, s, null);
      } else if (t.grace && !held && deadline <= watermark
          && plus(s.lastArrival, graceMillis) <= wallNow) {
        users.settle(t.key, s, machine.onWatermark(t.key, s, watermark, closed));
      } else {
        // not idle yet, or an event already here but not yet placed may still extend it
        if (!t.grace) {
          t.wallAt = Math.max(machine.wallDeadline(s), wallNow + 1);
          byWall.add(t);
        } else if (!held && deadline <= watermark) {
          t.wallAt = Math.max(plus(s.lastArrival, graceMillis), wallNow + 1);
          byWall.add(t);
        } else if (deadline > watermark) {
          t.eventAt = deadline;
          byEvent.add(new Timer(t.key, t.id, deadline, Long.MAX_VALUE, false));
        } else { // held: asked again once what holds it may have been placed
          t.wallAt = plus(wallNow, Math.max(1, graceMillis));
          byWall.add(t);
        }
        users.settle(t.key, s, s);
      }
    }
  }

  private static long plus(long time, long millis) {
    return time > Long.MAX_VALUE - millis ? Long.MAX_VALUE : time + millis;
  }

  void clear() {
    byWall.clear();
    byEvent.clear();
  }
}

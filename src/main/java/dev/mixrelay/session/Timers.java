package dev.mixrelay.session;

import dev.mixrelay.session.SessionListener.Reason;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The deadlines of the open sessions: in event time (the session is closed once the watermark
 * reaches it) and in wall-clock time (once the user sent nothing for timeout + allowedLateness).
 * One entry sits in both queues and speaks for a user's state while the state's {@code timer} is
 * its id; deadlines only grow, so an entry is re-queued, never updated in place.
 */
final class Timers {
  private static final class Timer {
    final String key;
    final int id;
    long eventAt;
    long wallAt;

    Timer(String key, int id, long eventAt, long wallAt) {
      this.key = key;
      this.id = id;
      this.eventAt = eventAt;
      this.wallAt = wallAt;
    }
  }

  private final SessionMachine machine;
  private final UserStore users;
  private int ids;
  private final PriorityQueue<Timer> byWall =
      new PriorityQueue<>(Comparator.comparingLong(t -> t.wallAt));

  Timers(SessionMachine machine, UserStore users) {
    this.machine = machine;
    this.users = users;
  }

  /** Makes a new entry speak for the user's state (an older one goes stale). */
  void schedule(String key, UserState s) {
    Timer t = new Timer(key, ++ids, machine.deadline(s), machine.wallDeadline(s));
    s.timer = t.id;
    byWall.add(t);
  }

  /**
   * Closes the sessions idle on the wall clock at {@code wallNow}, unless an event not yet placed
   * (the earliest at {@code heldFrom}, {@code Long.MAX_VALUE} if none) could still extend them.
   */
  void onWall(long wallNow, java.util.function.ToLongFunction<String> heldFrom,
      List<Closed> closed) {
    while (!byWall.isEmpty() && byWall.peek().wallAt <= wallNow) {
      Timer t = byWall.poll();
      UserState s = users.lookup(t.key);
      if (s == null || s.timer != t.id) {
        users.settle(t.key, s, s);
      } else if (machine.wallDeadline(s) <= wallNow && machine.deadline(s) <= heldFrom.applyAsLong(t.key)) {
        closed.add(machine.close(t.key, s, Reason.WALL_CLOCK));
        users.settle(t.key, s, null);
      } else {
        // not idle yet, or an event already here but not yet placed may still extend it
        t.wallAt = Math.max(machine.wallDeadline(s), wallNow + 1);
        byWall.add(t);
        users.settle(t.key, s, s);
      }
    }
  }

  void clear() {
    byWall.clear();
  }
}

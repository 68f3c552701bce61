package dev.mixrelay.session;

import dev.mixrelay.session.SessionListener.Reason;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Places events, in time order, on the sessions of their keys: resolves the key, applies a new
 * device link (re-keys the device's session, or hands it off when its user is another task's),
 * parks a user's events while a handoff is awaited and places them when it comes. The definition
 * and the protocol are in {@code package-info.java}.
 */
final class Placement {
  private final SessionRules rules;
  private final SessionListener listener;
  private final Interner interner;
  private final SessionMachine machine;
  private final StateCodec codec;
  private final UserStore users;
  private final Links links;
  private final Timers timers;
  private final Handoffs carry;
  private final Sessionizer.State st;
  /** Whether a session key is this sessionizer's; every key unless split over tasks. */
  private final Predicate<String> owns;
  /** The time before which a user key's events are late (its timeline's floor). */
  private final ToLongFunction<String> floorOf;
  /**
   * Whether a device key is on a timeline here while its link waits to be placed: its events
   * that came here are placed on it, and its session is re-keyed when the link is placed.
   */
  private final Predicate<String> joinedHere;

  Placement(SessionRules rules, SessionListener listener, Interner interner,
      SessionMachine machine, StateCodec codec, UserStore users, Links links, Timers timers,
      Handoffs carry, Sessionizer.State st, Predicate<String> owns,
      ToLongFunction<String> floorOf, Predicate<String> joinedHere) {
    this.floorOf = floorOf;
    this.joinedHere = joinedHere;
    this.rules = rules;
    this.listener = listener;
    this.interner = interner;
    this.machine = machine;
    this.codec = codec;
    this.users = users;
    this.links = links;
    this.timers = timers;
    this.carry = carry;
    this.st = st;
    this.owns = owns;
  }

  /**
   * Takes a handoff for a user owned here (see {@link Sessionizer#adopt}); true when parked events
   * were placed, so the timers may have to run.
   */
  boolean adopt(Handoff handoff, List<Closed> closed) {
    String id = handoff.id();
    if (carry.seen(id)) {
      listener.duplicateHandoff();
      return false;
    }
    Handoffs.Awaiting awaited = carry.awaiting(handoff.userKey());
    if (!carry.expected(id) && awaited != null && awaited.waitingFor != null
        && !awaited.waitingFor.equals(id)
        && Handoffs.pair(awaited.waitingFor).equals(Handoffs.pair(id))) {
      // the pair's link placed here is another of its events than the device's task placed
      carry.applied(id); // a replay of it is ignored
      handoff = new Handoff(handoff.userKey(), handoff.deviceKey(),
          Long.parseLong(awaited.waitingFor.substring(Handoffs.pair(id).length() + 1)),
          handoff.state());
      id = handoff.id();
    }
    UserState state = decode(handoff);
    if (carry.expected(id)) {
      carry.receive(handoff);
      Handoffs.Awaiting waiting = carry.awaiting(handoff.userKey());
      if (waiting != null && id.equals(waiting.waitingFor)) {
        drain(handoff.userKey(), false, closed);
        return true;
      }
    } else if (handoff.time() >= floorOf.applyAsLong(handoff.userKey())
        && !links.containsKey(linkFrom(handoff)) || carry.parkedFor(handoff)) {
      // its link is not placed here yet and may still be, or is parked (waiting for another
      // handoff first) at another of the pair's link events
      carry.receive(handoff);
    } else if (state != null) {
      carry.applied(id);
      closed.add(machine.close(handoff.deviceKey(), state, Reason.REKEY_COLLISION));
    }
    return false;
  }

  /** Places the events of users who waited {@code wait} ms at {@code wallNow} without them. */
  List<String> giveUp(long wallNow, long wait, List<Closed> closed) {
    if (carry.awaitingUsers() == 0) {
      return List.of();
    }
    List<String> due = carry.waitedSince(wallNow, wait);
    for (String user : due) {
      drain(user, true, closed);
    }
    return due;
  }

  /** Closes, as they are, the handoffs no link placed here will ask for any more. */
  void closeUnclaimed(List<Closed> closed) {
    for (Handoff h : carry.unclaimed(floorOf)) {
      if (h.carriesSession()) {
        carry.applied(h.id());
        closed.add(machine.close(h.deviceKey(), decode(h), Reason.REKEY_COLLISION));
      }
    }
  }

  /** Places one event, in time order: its links, then the event on its key's session. */
  void place(SessionEvent e, List<Closed> closed) {
    int deferred = 0;
    if (e.linkFrom() != null) {
      if (!links.containsKey(e.linkFrom())) {
        links.put(interner.string(e.linkFrom()), interner.string(e.linkTo()));
        deferred = link(e, closed);
      } else {
        answerForeignLink(e);
      }
    }
    boolean counted = !rules.excluded().contains(e.name());
    if (!counted && deferred == 0) {
      return;
    }
    String key;
    boolean user;
    if (e.linkFrom() != null) {
      key = e.linkTo(); // its $user_id, or an original-mode identify's $identified_id
      user = true;
    } else if (e.userId() != null) {
      key = e.userId();
      user = true;
    } else {
      String device = e.deviceId();
      String bare = null;
      if (device == null && e.distinctId() != null) {
        bare = e.distinctId();
        device = bare.startsWith("$device:") ? bare.substring(8) : bare;
      }
      if (device == null) {
        return; // distinct_id "": not tied to a user, in no session
      }
      String linked = links.get(device);
      user = linked != null;
      key = user ? linked : bare != null ? bare : "$device:" + device;
    }
    if (!owns.test(key) && !joinedHere.test(key)) {
      listener.eventNotOwned(); // routed by a key it no longer has (it crossed a link)
      return;
    }
    Handoffs.Awaiting waiting = carry.awaiting(key);
    if (waiting == null && deferred == 0) {
      placeOn(key, user, e, closed);
      return;
    }
    Handoffs.Parked parked = new Handoffs.Parked(e, user, deferred);
    if (waiting != null) {
      for (int bit = 0; bit < 2; bit++) {
        if ((deferred & (1 << bit)) != 0) {
          carry.expect(Handoff.id(key, Handoffs.deviceKey(bit, e), e.time()));
        }
      }
      waiting.add(parked);
      return;
    }
    String blocked = settle(key, parked, false, closed);
    if (blocked != null) {
      waiting = carry.startAwaiting(key);
      waiting.add(parked);
      waiting.waitingFor = blocked;
      waiting.since = st.lastWall;
    }
  }

  /** Applies one counted event to its user's state. */
  private void placeOn(String key, boolean user, SessionEvent e, List<Closed> closed) {
    UserState before = users.lookup(key);
    UserState after = machine.onEvent(key, user, before, e, closed);
    if (after != null && after != before) {
      listener.sessionOpened();
      timers.schedule(key, after);
    }
    users.settle(key, before, after);
  }

  /**
   * The device side of a new link: a device key owned here with its user is re-keyed at once (or,
   * while the user waits for a handoff, taken out to be re-keyed in turn); with a user owned
   * elsewhere it is handed off. Returns the user sides left to apply, as {@link Handoffs.Parked}
   * bits: those of a device taken out here, and that of a device owned elsewhere.
   */
  private int link(SessionEvent e, List<Closed> closed) {
    String user = e.linkTo();
    boolean ownUser = owns.test(user);
    boolean waiting = ownUser && carry.awaiting(user) != null;
    int primary = e.linkAnon() ? 1 : 0;
    int deferred = 0;
    for (int bit = 0; bit <= primary; bit++) {
      String device = Handoffs.deviceKey(bit, e);
      if (device.equals(user)) {
        continue;
      }
      boolean ownDevice = owns.test(device);
      if (ownDevice && ownUser && !waiting) {
        rekey(device, user, e.time(), closed);
      } else if (ownDevice && ownUser) {
        Handoff h = handoff(user, device, e.time(), deviceHalf(device, e.time(), closed));
        carry.expect(h.id());
        carry.receive(h);
        deferred |= 1 << bit;
      } else if (ownDevice) {
        carry.send(handoff(user, device, e.time(), deviceHalf(device, e.time(), closed)));
      } else if (ownUser && bit == primary) {
        deferred |= 1 << bit;
      }
    }
    return deferred;
  }

  /**
   * A device owned here already linked to another user: that user's owner may take the link for a
   * new one and wait, so it is told there is no session to carry.
   */
  private void answerForeignLink(SessionEvent e) {
    String device = Handoffs.deviceKey(e.linkAnon() ? 1 : 0, e);
    String user = e.linkTo();
    if (owns.test(device) && !owns.test(user) && !user.equals(links.get(e.linkFrom()))) {
      carry.send(new Handoff(user, device, e.time(), null));
    }
  }

  /**
   * Applies a parked event's user sides, then places it. Returns the id of the handoff it must
   * wait for instead (nothing placed), or null. With {@code giveUp}, the first missing handoff is
   * not waited for.
   */
  private String settle(String key, Handoffs.Parked p, boolean giveUp, List<Closed> closed) {
    SessionEvent e = p.event;
    for (int bit = 0; bit < 2; bit++) {
      if ((p.halves & (1 << bit)) == 0) {
        continue;
      }
      String device = Handoffs.deviceKey(bit, e);
      String id = Handoff.id(key, device, e.time());
      Handoff h = carry.claim(id);
      if (h == null && !owns.test(device)) {
        h = carry.claimPair(id);
      }
      if (h != null) {
        UserState s = decode(h);
        if (s != null && !owns.test(device)) {
          s.minOffset = e.offset(); // the other task's offsets mean nothing here
        }
        userHalf(device, key, e.time(), withLocal(device, s, e.time(), closed), closed);
      } else if (!owns.test(device)
          && (users.contains(device) || !liveAt(key, e.time(), closed))) {
        // nothing live to collide with, or a half of the device's session made here that the
        // handed-off half joins before it goes on as the user's (or collides with the user's)
        if (!giveUp) {
          carry.expect(id);
          return id;
        }
        listener.handoffMissed();
        giveUp = false;
        userHalf(device, key, e.time(), withLocal(device, null, e.time(), closed), closed);
      } else if (!owns.test(device)) {
        userHalf(device, key, e.time(), withLocal(device, null, e.time(), closed), closed);
      }
      p.halves &= ~(1 << bit);
    }
    if (!rules.excluded().contains(e.name())) {
      placeOn(key, p.user, e, closed);
    }
    return null;
  }

  /**
   * The device's session as handed off ({@code remote}, or null) joined with the one its events
   * that came here made (they came after the router knew the link, timed before it); null when
   * there is none, or it is over at the link's {@code time} (then closed).
   */
  private UserState withLocal(String device, UserState remote, long time, List<Closed> closed) {
    UserState local = users.contains(device) ? users.take(device) : null;
    // both halves are timed before the link, either may begin first
    UserState s = local == null ? remote
        : remote == null ? local
        : remote.first <= local.first ? machine.join(device, remote, local, closed)
        : machine.join(device, local, remote, closed);
    if (s != null && s == local && machine.deadline(s) <= time) {
      closed.add(machine.close(device, s, Reason.TIMEOUT));
      return null;
    }
    return s;
  }

  /** Places a waiting user's parked events until one must wait for a handoff again. */
  private void drain(String key, boolean giveUp, List<Closed> closed) {
    Handoffs.Awaiting waiting = carry.awaiting(key);
    while (!waiting.events.isEmpty()) {
      String blocked = settle(key, waiting.events.peek(), giveUp, closed);
      if (blocked != null) {
        if (!blocked.equals(waiting.waitingFor)) {
          waiting.waitingFor = blocked;
          waiting.since = st.lastWall;
        }
        return;
      }
      giveUp = false;
      waiting.poll();
    }
    carry.stopAwaiting(key);
  }

  /**
   * Whether the user has a session that an event at {@code time} would still extend; one already
   * over then is closed.
   */
  private boolean liveAt(String key, long time, List<Closed> closed) {
    UserState s = users.peek(key);
    if (s == null) {
      return false;
    }
    if (machine.deadline(s) > time) {
      return true;
    }
    closed.add(machine.close(key, users.take(key), Reason.TIMEOUT));
    return false;
  }

  /**
   * Moves the device's open session to the user at {@code time}. A session already over at that
   * time (past its timeout or midnight) is closed instead; two live sessions are not merged: the
   * device's is closed.
   */
  private void rekey(String deviceKey, String userKey, long time, List<Closed> closed) {
    if (deviceKey.equals(userKey)) {
      return;
    }
    userHalf(deviceKey, userKey, time, deviceHalf(deviceKey, time, closed), closed);
  }

  /** Takes the device's session out for a re-key at {@code time}; closes it if already over. */
  private UserState deviceHalf(String deviceKey, long time, List<Closed> closed) {
    UserState device = users.take(deviceKey);
    if (device != null && machine.deadline(device) <= time) {
      closed.add(machine.close(deviceKey, device, Reason.TIMEOUT));
      return null;
    }
    return device;
  }

  /** Continues a device's session (live at {@code time}, or null) as the user's. */
  private void userHalf(String deviceKey, String userKey, long time, UserState device,
      List<Closed> closed) {
    if (device == null) {
      return;
    }
    UserState user = users.take(userKey);
    if (user != null && machine.deadline(user) <= time) {
      closed.add(machine.close(userKey, user, Reason.TIMEOUT));
      user = null;
    }
    if (user == null) {
      if (device.deviceId == null && deviceKey.startsWith("$device:")) {
        device.deviceId = interner.string(deviceKey.substring(8));
      }
      device.user = true;
      timers.schedule(userKey, device);
      users.store(userKey, device);
      listener.sessionRekeyed();
    } else {
      closed.add(machine.close(deviceKey, device, Reason.REKEY_COLLISION));
      users.store(userKey, user);
    }
  }

  /** A handoff of a session taken out of this task's timers, the same bytes in a replay. */
  private Handoff handoff(String userKey, String deviceKey, long time, UserState device) {
    if (device == null) {
      return new Handoff(userKey, deviceKey, time, null);
    }
    device.timer = 0; // this task's timer ids restart on a restore; the receiver schedules anew
    return new Handoff(userKey, deviceKey, time, codec.encodeUser(device));
  }

  /** The device (or anonymous) id a handoff's link comes from, as {@link #links} keys it. */
  private static String linkFrom(Handoff h) {
    String device = h.deviceKey();
    return device.startsWith("$device:") ? device.substring(8) : device;
  }

  private UserState decode(Handoff h) {
    if (!h.carriesSession()) {
      return null;
    }
    try {
      return codec.decodeUser(h.state());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a readable session in " + h, e);
    }
  }
}

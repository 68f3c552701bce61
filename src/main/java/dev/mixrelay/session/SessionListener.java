package dev.mixrelay.session;

/**
 * Telemetry of a {@link Sessionizer}; {@code ops} implements it with metrics. Called on the thread
 * that drives the sessionizer; implementations must be quick and must not call back into it.
 */
public interface SessionListener {

  /** Does nothing. */
  SessionListener NONE = new SessionListener() {};

  /** Why a session was closed. */
  enum Reason {
    /** An event came after a gap of at least the timeout, or the watermark passed it. */
    TIMEOUT,
    /** Local midnight in the project time zone. */
    MIDNIGHT,
    /** Event mode: the end event. */
    END_EVENT,
    /** Property mode: the session id value changed. */
    VALUE_CHANGE,
    /** No event for timeout + allowedLateness of wall-clock time. */
    WALL_CLOCK,
    /** A device was linked to a user who already had an open session; the device's was closed. */
    REKEY_COLLISION
  }

  default void sessionOpened() {}

  default void sessionClosed(Reason reason) {}

  /** An event arrived later than allowedLateness behind the watermark: delivered, not sessionized. */
  default void lateEvent() {}

  /** An event equal to one already held (event, distinct_id, time, $insert_id): not counted twice. */
  default void duplicateEvent() {}

  /** An open device session continued as its newly linked user's. */
  default void sessionRekeyed() {}

  /** A user's open session left memory for the serialized spill (the in-memory cap was reached). */
  default void userSpilled() {}

  /**
   * Split over tasks: an event whose session key another task owns (the router chose its key
   * before a link changed it) was not sessionized here; it is delivered all the same.
   */
  default void eventNotOwned() {}

  /**
   * Split over tasks: a user's events waited {@code carryWaitMillis} for a device's handoff that
   * did not come and were placed without it.
   */
  default void handoffMissed() {}

  /** Split over tasks: a handoff already taken (a replay) was ignored. */
  default void duplicateHandoff() {}
}

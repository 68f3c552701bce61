package dev.mixrelay.session;

/**
 * A session the state machine has finished, with why.
 *
 * @param withEnd false for an event-mode session cut at midnight before its end event: it gets a
 *     Session Start only, without duration
 */
record Closed(String key, UserState state, boolean withEnd, SessionListener.Reason reason) {}

package dev.mixrelay.deliver;

import java.time.Instant;

/**
 * How a destination's delivery stands, for {@code /ready} and the admin status: {@code ok},
 * {@code failing} (requests fail and are retried: {@code cause} says how, since when, how many
 * records wait) or {@code unauthorized} (Mixpanel refuses the credentials).
 */
public record DestinationState(String state, Instant since, String cause, long failedRequests,
    int waitingRecords) {

  /** Delivering normally. */
  public static final DestinationState OK = new DestinationState("ok", null, null, 0, 0);

  public boolean ok() {
    return state.equals("ok");
  }
}

package dev.mixrelay.deliver;

import java.time.Duration;
import java.util.List;

/** What one Mixpanel response means for the batch that was sent: a closed set. */
public sealed interface DeliveryOutcome {

  /** Every record was accepted. */
  record Delivered() implements DeliveryOutcome {}

  /**
   * Nothing is known to be accepted; send the whole batch again later.
   *
   * @param after the server's {@code Retry-After}, or null to use the backoff
   * @param cause a bounded label: {@code 429}, {@code 5xx}, {@code timeout}, {@code connection},
   *     {@code status}
   */
  record Retryable(Duration after, String cause) implements DeliveryOutcome {}

  /** The listed records were refused for good; every other record was accepted. */
  record PartiallyRejected(List<Rejection> rejections) implements DeliveryOutcome {
    public PartiallyRejected {
      rejections = List.copyOf(rejections);
    }
  }

  /** The whole batch was refused for good, for the given reason. */
  record Rejected(String reason) implements DeliveryOutcome {}

  /** The credentials were refused (401/403): the destination is misconfigured. */
  record Unauthorized(String reason) implements DeliveryOutcome {}

  /** The request was too large (413): split it. */
  record TooLarge(String reason) implements DeliveryOutcome {}

  /**
   * One refused record as Mixpanel names it.
   *
   * @param index the 0-based position in the batch, or -1 when not given
   * @param insertId the record's {@code $insert_id} when given, else null
   */
  record Rejection(int index, String insertId, String reason) {}
}

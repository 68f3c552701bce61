package dev.mixrelay.mixpanel;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One record for Mixpanel: an event for {@code /import} ({@code {"event", "properties"}}), a
 * profile operation for {@code /engage} or a group operation for {@code /groups}.
 *
 * <p>Contract: {@code body} is not changed after the record is made.
 */
public record MixpanelRecord(Endpoint endpoint, ObjectNode body) {

  /** The event name of an {@code /import} record, else null. */
  public String eventName() {
    return endpoint == Endpoint.IMPORT && body.hasNonNull("event") ? body.get("event").asText() : null;
  }

  /** The event's properties object for {@code /import} records, else null. */
  public ObjectNode properties() {
    return endpoint == Endpoint.IMPORT && body.get("properties") instanceof ObjectNode o ? o : null;
  }

  /** The event's {@code $insert_id}, or null. */
  public String insertId() {
    ObjectNode p = properties();
    return p != null && p.hasNonNull("$insert_id") ? p.get("$insert_id").asText() : null;
  }
}

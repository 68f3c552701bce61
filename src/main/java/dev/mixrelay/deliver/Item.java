package dev.mixrelay.deliver;

import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;

/**
 * One record waiting for delivery: its JSON, serialised once, the two facts delivery reads from
 * it (endpoint, {@code $insert_id}) and the send it belongs to. The record's tree is not kept: it
 * would stay on the heap until Mixpanel answers.
 */
record Item(Endpoint endpoint, String insertId, byte[] json, Ticket ticket, int index) {

  Item(MixpanelRecord record, byte[] json, Ticket ticket, int index) {
    this(record.endpoint(), record.insertId(), json, ticket, index);
  }

  Item(MixpanelRecord record, byte[] json, Ticket ticket) {
    this(record, json, ticket, 0);
  }

  /** This record is delivered or dead-lettered. */
  void done() {
    ticket.recordDone(index);
  }
}

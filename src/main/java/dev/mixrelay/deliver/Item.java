package dev.mixrelay.deliver;

import dev.mixrelay.mixpanel.MixpanelRecord;

/** One record waiting for delivery: its JSON, serialised once, and the send it belongs to. */
record Item(MixpanelRecord record, byte[] json, Ticket ticket, int index) {

  Item(MixpanelRecord record, byte[] json, Ticket ticket) {
    this(record, json, ticket, 0);
  }

  /** This record is delivered or dead-lettered. */
  void done() {
    ticket.recordDone(index);
  }
}

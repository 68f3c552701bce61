package dev.mixrelay.deliver;

import dev.mixrelay.mixpanel.MixpanelRecord;

/** One record waiting for delivery: its JSON, serialised once, and the send it belongs to. */
record Item(MixpanelRecord record, byte[] json, Ticket ticket) {}

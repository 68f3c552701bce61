package dev.mixrelay.translate;

import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.List;

/** The outcome of translating one Segment message for one destination: a closed set. */
public sealed interface Translation {

  /**
   * The records to send (possibly none, e.g. a page with no naming option on), and the profile
   * state the relay must remember (super properties), or {@link ProfileUpdate#NONE}.
   */
  record Translated(List<MixpanelRecord> records, ProfileUpdate update) implements Translation {
    public Translated {
      records = List.copyOf(records);
    }
  }

  /** Deliberately not sent (integrations object, no page option, no group trait); counted by reason. */
  record Skipped(String reason) implements Translation {}

  /** Cannot be translated; dead-lettered with the field and the reason. */
  record Invalid(String field, String reason) implements Translation {}
}

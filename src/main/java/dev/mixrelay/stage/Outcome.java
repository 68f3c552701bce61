package dev.mixrelay.stage;

import dev.mixrelay.deliver.DeadLetter;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.List;

/** What one message became: a closed set. */
public sealed interface Outcome {

  /**
   * Records to deliver: the message's own followed by the session events it closed (on a replay,
   * the session events only: the message's own were delivered before), and the records Mixpanel
   * could never accept, for the dead-letter store.
   */
  record Deliver(List<MixpanelRecord> records, List<DeadLetter> rejected) implements Outcome {}

  /** Deliberately not sent; {@code reason} is a bounded metric label. */
  record Skipped(String reason) implements Outcome {}

  /**
   * Cannot be translated: the message itself goes to the dead-letter store with {@code reason}
   * (on a replay it was dead-lettered before and is only finished).
   */
  record Refused(String reason) implements Outcome {}
}

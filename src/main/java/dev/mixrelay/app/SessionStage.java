package dev.mixrelay.app;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.List;

/** The seam between translation and delivery where sessions are computed. */
interface SessionStage {
  /** Computes no sessions and holds no state. */
  SessionStage NONE = (destination, offset, records) -> List.of();

  /**
   * Feeds one log message's translated records; returns the session events that became final (to
   * be delivered with the message's own records). A message the restored state already reflects
   * is ignored.
   */
  List<MixpanelRecord> onRecords(DestinationConfig destination, long offset, List<MixpanelRecord> records);
}

package dev.mixrelay.app;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.List;

/** The seam between translation and delivery where sessions are computed. */
interface SessionStage {
  /** Passes records through unchanged and holds no state. */
  SessionStage NONE = new SessionStage() {
    @Override
    public List<MixpanelRecord> onRecords(DestinationConfig d, long offset, List<MixpanelRecord> records) {
      return records;
    }

    @Override
    public long replayFloor(long finishedUpTo) {
      return finishedUpTo;
    }
  };

  /** The records to deliver for one message: its own plus any session events it closed. */
  List<MixpanelRecord> onRecords(DestinationConfig destination, long offset, List<MixpanelRecord> records);

  /** The highest log offset that may be acknowledged given the session state's needs. */
  long replayFloor(long finishedUpTo);
}

package dev.mixrelay.stage;

import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.SegmentMessage;
import java.util.List;

/**
 * A look at what the stage made of each message, for the live debugger. The stage calls
 * {@link #observed} only while {@link #active()} holds, from its own thread, and never for a
 * replay: implementations must return at once and never block.
 */
public interface StageTap {
  StageTap NONE = new StageTap() {
    @Override
    public boolean active() {
      return false;
    }

    @Override
    public void observed(String source, String destination, SegmentMessage message,
        String outcome, List<MixpanelRecord> records, List<MixpanelRecord> sessionRecords) {}
  };

  /** Whether anyone is watching; a volatile read at most. */
  boolean active();

  /**
   * One message and what it became: {@code outcome} is {@code translated}, {@code skipped: why} or
   * {@code invalid: field: why}; {@code sessionRecords} are the session events it closed.
   */
  void observed(String source, String destination, SegmentMessage message, String outcome,
      List<MixpanelRecord> records, List<MixpanelRecord> sessionRecords);
}

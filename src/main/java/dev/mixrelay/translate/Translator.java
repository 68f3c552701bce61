package dev.mixrelay.translate;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.segment.SegmentMessage;

/**
 * Translates one normalised Segment message into the Mixpanel records Segment's Mixpanel
 * destination would send, under one destination's settings. Pure: no I/O, no clock; the same
 * inputs always give the same records (and the same {@code $insert_id}s). Thread-safe.
 */
public final class Translator {

  public Translation translate(SegmentMessage message, DestinationConfig destination,
      ProfileView profiles) {
    throw new UnsupportedOperationException("translation lands with the translation issue");
  }
}

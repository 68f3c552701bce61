package dev.mixrelay.segment;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one JSON mapper for Segment input, with parsing limits that hostile input cannot pass. */
public final class SegmentJson {
  /** Deepest nesting of objects and arrays accepted in a request body. */
  public static final int MAX_NESTING_DEPTH = 64;

  /** Thread-safe, shared. */
  public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxNestingDepth(MAX_NESTING_DEPTH)
              .maxStringLength(1_000_000)
              .maxNumberLength(1000)
              .build())
          .build())
      .build();

  private SegmentJson() {}
}

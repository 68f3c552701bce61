package dev.mixrelay.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.SegmentJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The value of an outgoing-topic record: the Mixpanel records one stage call made for one
 * destination (a message's records and the session events it closed, or the session events a
 * tick closed), in order. Keyed {@code destination + '\0' + user key} (see {@link Keys}), so the
 * key names the destination and one user's records stay in one partition, in order.
 *
 * <p>Format: a sequence of {@code [endpoint ordinal: 1 byte][body length: 4 bytes big-endian]
 * [body: UTF-8 JSON]}; the records' count is implied by the length.
 */
final class Outgoing {
  private static final Endpoint[] ENDPOINTS = Endpoint.values();

  private Outgoing() {}

  static byte[] encode(List<MixpanelRecord> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 * records.size());
    byte[] length = new byte[4];
    for (MixpanelRecord r : records) {
      byte[] body;
      try {
        body = SegmentJson.MAPPER.writeValueAsBytes(r.body());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a Mixpanel record could not be written as JSON", e);
      }
      out.write(r.endpoint().ordinal());
      ByteBuffer.wrap(length).putInt(body.length);
      out.write(length, 0, 4);
      out.write(body, 0, body.length);
    }
    return out.toByteArray();
  }

  /**
   * The records of an outgoing value.
   *
   * @throws IllegalArgumentException when the bytes are not an outgoing value
   */
  static List<MixpanelRecord> decode(byte[] value) {
    List<MixpanelRecord> records = new ArrayList<>();
    ByteBuffer in = ByteBuffer.wrap(value);
    try {
      while (in.hasRemaining()) {
        int endpoint = in.get();
        int length = in.getInt();
        if (endpoint < 0 || endpoint >= ENDPOINTS.length || length < 0
            || length > in.remaining()) {
          throw new IllegalArgumentException("not an outgoing record");
        }
        JsonNode body = SegmentJson.MAPPER.readTree(value, in.position(), length);
        if (!(body instanceof ObjectNode o)) {
          throw new IllegalArgumentException("an outgoing record's body is not a JSON object");
        }
        records.add(new MixpanelRecord(ENDPOINTS[endpoint], o));
        in.position(in.position() + length);
      }
    } catch (IOException | java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("not an outgoing record: " + e.getMessage(), e);
    }
    return records;
  }
}

package dev.mixrelay.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.SegmentJson;
import java.io.IOException;

/**
 * The link-only copy of a linking message, sent to the task that owns the device's session key:
 * it tells that task's sessionizer, at the message's time, that the device now belongs to the
 * user, so the device's open session is handed over. It is never delivered to Mixpanel.
 *
 * @param anon original ID merge: the link is an {@code $identify} with {@code $anon_id}
 */
record LinkOnly(String device, String user, long time, String messageId, boolean anon) {

  static byte[] encode(LinkOnly l) {
    ObjectNode n = SegmentJson.MAPPER.createObjectNode().put("device", l.device)
        .put("user", l.user).put("time", l.time).put("messageId", l.messageId).put("anon", l.anon);
    return n.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  static LinkOnly decode(byte[] bytes) throws IOException {
    JsonNode n = SegmentJson.MAPPER.readTree(bytes);
    return new LinkOnly(n.path("device").asText(), n.path("user").asText(),
        n.path("time").asLong(), n.path("messageId").asText(), n.path("anon").asBoolean());
  }

  /**
   * The record the sessionizer reads the link from: an {@code $identify} (never counted in a
   * session) carrying both ids the way translation writes them.
   */
  MixpanelRecord asEvent() {
    ObjectNode p = SegmentJson.MAPPER.createObjectNode();
    p.put("time", time);
    p.put("distinct_id", user);
    if (anon) {
      p.put("$anon_id", device);
      p.put("$identified_id", user);
    } else {
      p.put("$device_id", device);
      p.put("$user_id", user);
    }
    p.put("$insert_id", "link:" + messageId);
    ObjectNode body = SegmentJson.MAPPER.createObjectNode();
    body.put("event", "$identify");
    body.set("properties", p);
    return new MixpanelRecord(Endpoint.IMPORT, body);
  }
}

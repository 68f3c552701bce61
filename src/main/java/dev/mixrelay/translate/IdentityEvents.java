package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.List;

/**
 * The identity events. identify with both ids: {@code $identify} carrying {@code $device_id} and
 * {@code $user_id} (simplified) or {@code $identified_id} and {@code $anon_id} (original), so the
 * ids link even if no other event follows. alias: {@code $identify} with {@code $device_id} =
 * previousId (simplified) or {@code $create_alias} {distinct_id: previousId, alias: userId}
 * (original).
 */
final class IdentityEvents {
  static final String IDENTIFY = "$identify";
  static final String CREATE_ALIAS = "$create_alias";

  private IdentityEvents() {}

  static void onIdentify(Call call, List<MixpanelRecord> records) {
    Ids ids = call.ids;
    if (ids.userId() == null || ids.anonymousId() == null) {
      return;
    }
    ObjectNode p = base(call);
    if (!ids.simplified()) {
      p.put("$identified_id", ids.userId());
      p.put("$anon_id", ids.anonymousId());
    }
    records.add(call.event(IDENTIFY, p));
  }

  static Translation alias(Call call) {
    String previousId = call.message.previousId();
    String userId = call.message.userId();
    if (previousId.equals(userId)) {
      return new Translation.Invalid("previousId", "equals userId; an alias links two different ids");
    }
    ObjectNode p = base(call);
    MixpanelRecord record;
    if (call.ids.simplified()) {
      record = call.event(IDENTIFY, p, new Ids(userId, userId, previousId, true));
    } else {
      p.put("alias", userId);
      record = call.event(CREATE_ALIAS, p, new Ids(previousId, null, null, false));
    }
    return new Translation.Translated(List.of(record), ProfileUpdate.NONE);
  }

  private static ObjectNode base(Call call) {
    ObjectNode p = Call.JSON.objectNode();
    String sourceName = call.settings.sourceName();
    if (sourceName != null && !sourceName.isBlank()) {
      p.put("segment_source_name", sourceName);
    }
    return p;
  }
}

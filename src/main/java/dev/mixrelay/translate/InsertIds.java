package dev.mixrelay.translate;

import com.fasterxml.uuid.UUIDType;
import com.fasterxml.uuid.impl.NameBasedGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * {@code $insert_id} = UUIDv5(namespace, messageId + ":" + projectKey + ":" + eventName): 36
 * characters of {@code [0-9a-f-]}, the same for every replay of a message, different for each
 * event name one message fans out into. One generator per thread and namespace, because the
 * library's generator locks its digest.
 */
final class InsertIds {
  private static final ThreadLocal<Map<UUID, NameBasedGenerator>> GENERATORS =
      ThreadLocal.withInitial(HashMap::new);

  private InsertIds() {}

  static String of(UUID namespace, String messageId, String projectKey, String eventName) {
    NameBasedGenerator generator = GENERATORS.get().computeIfAbsent(namespace, InsertIds::create);
    return generator.generate(messageId + ':' + projectKey + ':' + eventName).toString();
  }

  private static NameBasedGenerator create(UUID namespace) {
    try {
      return new NameBasedGenerator(namespace, MessageDigest.getInstance("SHA-1"),
          UUIDType.NAME_BASED_SHA1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-1", e);
    }
  }
}

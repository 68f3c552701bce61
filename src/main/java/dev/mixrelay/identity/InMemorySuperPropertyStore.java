package dev.mixrelay.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Iterator;
import java.util.Map;

/**
 * {@link SuperPropertyStore} in a bounded Caffeine cache. Copy-on-write: a merge stores a new
 * object, so an object handed out by {@link #get} never changes under its reader.
 */
final class InMemorySuperPropertyStore implements SuperPropertyStore {
  private final Cache<Key, ObjectNode> cache;

  private record Key(String destination, String userKey) {}

  InMemorySuperPropertyStore(long maxUsers) {
    this.cache = Caffeine.newBuilder().maximumSize(maxUsers).build();
  }

  @Override
  public ObjectNode get(String destination, String userKey) {
    return userKey == null ? null : cache.getIfPresent(new Key(destination, userKey));
  }

  @Override
  public void merge(String destination, String userKey, ObjectNode properties) {
    if (userKey == null || properties == null || properties.isEmpty()) {
      return;
    }
    cache.asMap().compute(new Key(destination, userKey), (k, before) -> {
      ObjectNode next = before == null ? properties.objectNode() : before.deepCopy();
      Iterator<Map.Entry<String, JsonNode>> it = properties.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue() == null || e.getValue().isNull()) {
          next.remove(e.getKey());
        } else {
          next.set(e.getKey(), e.getValue().deepCopy());
        }
      }
      return next.isEmpty() ? null : next;
    });
  }

  @Override
  public long size() {
    return cache.estimatedSize();
  }

  /** Runs pending evictions now (tests). */
  void cleanUp() {
    cache.cleanUp();
  }
}

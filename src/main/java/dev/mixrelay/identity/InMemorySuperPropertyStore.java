package dev.mixrelay.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * {@link SuperPropertyStore} in a bounded Caffeine cache. Copy-on-write: a merge stores a new
 * object, so an object handed out by {@link #get} never changes under its reader. Changes are
 * tracked per destination once it is drained or restored from entries: the user keys merged or
 * evicted since its last drain.
 */
final class InMemorySuperPropertyStore implements SuperPropertyStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Cache<Key, ObjectNode> cache;
  private final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
  /** By destination, while tracked: the user keys changed since its last drain. */
  private final Map<String, Set<String>> changed = new ConcurrentHashMap<>();

  private record Key(String destination, String userKey) {}

  InMemorySuperPropertyStore(long maxUsers) {
    this.cache = Caffeine.newBuilder().maximumSize(maxUsers)
        .<Key, ObjectNode>evictionListener((k, v, cause) -> {
          if (k != null) {
            touch(k.destination(), k.userKey());
          }
        })
        .build();
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
    versions.computeIfAbsent(destination, d -> new AtomicLong()).incrementAndGet();
    touch(destination, userKey);
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
  public long version(String destination) {
    AtomicLong v = versions.get(destination);
    return v == null ? 0 : v.get();
  }

  /** {@code {"users": {userKey: {property: value}}}}; stored objects never change, so no lock. */
  @Override
  public byte[] snapshot(String destination) {
    ObjectNode users = JSON.createObjectNode();
    cache.asMap().forEach((k, props) -> {
      if (k.destination().equals(destination)) {
        users.set(k.userKey(), props);
      }
    });
    ObjectNode root = JSON.createObjectNode();
    root.set("users", users);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("super properties cannot be written", e);
    }
  }

  @Override
  public void restore(String destination, byte[] snapshot) {
    JsonNode users;
    try {
      users = JSON.readTree(snapshot).path("users");
    } catch (IOException e) {
      throw new IllegalArgumentException("not a super-property snapshot: " + e.getMessage(), e);
    }
    if (!(users instanceof ObjectNode usersObject)) {
      throw new IllegalArgumentException("not a super-property snapshot: no users object");
    }
    Iterator<Map.Entry<String, JsonNode>> it = usersObject.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue() instanceof ObjectNode props && !props.isEmpty()) {
        cache.put(new Key(destination, e.getKey()), props);
        touch(destination, e.getKey());
      }
    }
  }

  @Override
  public void drainChanges(String destination, BiConsumer<String, byte[]> sink) {
    Set<String> keys = changed.get(destination);
    if (keys == null) {
      Set<String> all = ConcurrentHashMap.newKeySet();
      keys = changed.putIfAbsent(destination, all);
      if (keys == null) {
        keys = all;
        for (Key k : cache.asMap().keySet()) {
          if (k.destination().equals(destination)) {
            keys.add(k.userKey());
          }
        }
      }
    }
    for (String user : List.copyOf(keys)) {
      keys.remove(user); // before the read: a merge from now on marks it again
      ObjectNode props = cache.policy().getIfPresentQuietly(new Key(destination, user));
      try {
        sink.accept(user, props == null ? null : JSON.writeValueAsBytes(props));
      } catch (IOException e) {
        throw new IllegalStateException("super properties cannot be written", e);
      }
    }
  }

  @Override
  public void restoreEntries(String destination, Iterator<Map.Entry<String, byte[]>> entries) {
    changed.remove(destination);
    cache.asMap().keySet().removeIf(k -> k.destination().equals(destination));
    changed.put(destination, ConcurrentHashMap.newKeySet());
    while (entries.hasNext()) {
      Map.Entry<String, byte[]> e = entries.next();
      JsonNode props;
      try {
        props = JSON.readTree(e.getValue());
      } catch (IOException x) {
        throw new IllegalArgumentException("not super properties for " + e.getKey() + ": "
            + x.getMessage(), x);
      }
      if (!(props instanceof ObjectNode object)) {
        throw new IllegalArgumentException("not super properties for " + e.getKey()
            + ": not a JSON object");
      }
      if (!object.isEmpty()) {
        cache.put(new Key(destination, e.getKey()), object);
      }
    }
    cache.cleanUp(); // evictions by a smaller bound are removals the next drain hands over
  }

  private void touch(String destination, String userKey) {
    Set<String> keys = changed.get(destination);
    if (keys != null) {
      keys.add(userKey);
    }
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

package dev.mixrelay.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** A destination's super properties as per-user entries: drains and restores from them. */
class SuperPropertyEntriesTest {
  private static ObjectNode obj() {
    return JsonNodeFactory.instance.objectNode();
  }

  private static BiConsumer<String, byte[]> into(Map<String, byte[]> store) {
    return (key, value) -> {
      if (value == null) {
        store.remove(key);
      } else {
        store.put(key, value);
      }
    };
  }

  @Test
  void theFirstDrainHandsAllOfTheDestinationsUsersThenOnlyTheChangedOnes() {
    SuperPropertyStore store = SuperPropertyStore.inMemory(100);
    store.merge("main", "u1", obj().put("plan", "free"));
    store.merge("main", "u2", obj().put("plan", "pro"));
    store.merge("other", "u3", obj().put("plan", "pro"));
    Map<String, byte[]> entries = new HashMap<>();
    store.drainChanges("main", into(entries));
    assertThat(entries).containsOnlyKeys("u1", "u2");

    List<String> drained = new ArrayList<>();
    store.merge("main", "u2", obj().putNull("plan"));
    store.merge("main", "u4", obj().put("company", "Acme"));
    store.drainChanges("main", (key, value) -> drained.add(key + "=" + (value == null ? null
        : new String(value, StandardCharsets.UTF_8))));
    assertThat(drained).containsExactlyInAnyOrder("u2=null", "u4={\"company\":\"Acme\"}");
    drained.clear();
    store.drainChanges("main", (key, value) -> drained.add(key));
    assertThat(drained).isEmpty();
  }

  @Test
  void entriesRestoreTheSameUsersAsTheStoreThatDrainedThem() {
    Random r = new Random(7);
    SuperPropertyStore store = SuperPropertyStore.inMemory(1_000);
    Map<String, byte[]> entries = new HashMap<>();
    for (int i = 0; i < 2_000; i++) {
      ObjectNode props = obj();
      props.put("k" + r.nextInt(3), r.nextInt(3));
      if (r.nextInt(4) == 0) {
        props.putNull("k" + r.nextInt(3));
      }
      store.merge("main", "u" + r.nextInt(50), props);
      if (r.nextInt(5) == 0) {
        store.drainChanges("main", into(entries));
      }
    }
    store.drainChanges("main", into(entries));

    SuperPropertyStore restored = SuperPropertyStore.inMemory(1_000);
    restored.merge("main", "stale", obj().put("x", 1));
    restored.merge("other", "kept", obj().put("x", 1));
    restored.restoreEntries("main", entries.entrySet().iterator());
    for (int i = 0; i < 50; i++) {
      assertThat(restored.get("main", "u" + i)).isEqualTo(store.get("main", "u" + i));
    }
    assertThat(restored.get("main", "stale")).isNull();
    assertThat(restored.get("other", "kept")).isEqualTo(obj().put("x", 1));
    assertThat(new String(restored.snapshot("main"), StandardCharsets.UTF_8).length())
        .isEqualTo(new String(store.snapshot("main"), StandardCharsets.UTF_8).length());

    List<String> drained = new ArrayList<>();
    restored.drainChanges("main", (key, value) -> drained.add(key));
    assertThat(drained).as("nothing changed since the restore").isEmpty();
  }

  @Test
  void aUserEvictedByTheBoundIsARemoval() {
    InMemorySuperPropertyStore store = new InMemorySuperPropertyStore(10);
    Map<String, byte[]> entries = new HashMap<>();
    store.drainChanges("main", into(entries));
    for (int i = 0; i < 100; i++) {
      store.merge("main", "u" + i, obj().put("i", i));
    }
    store.cleanUp();
    store.drainChanges("main", into(entries));
    assertThat(entries).hasSizeLessThanOrEqualTo(10);
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      assertThat(store.get("main", e.getKey())).isNotNull();
    }
  }

  @Test
  void aValueThatIsNotAJsonObjectIsRefused() {
    SuperPropertyStore store = SuperPropertyStore.inMemory(10);
    assertThatThrownBy(() -> store.restoreEntries("main",
        Map.of("u1", "[1]".getBytes(StandardCharsets.UTF_8)).entrySet().iterator()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("u1");
  }
}

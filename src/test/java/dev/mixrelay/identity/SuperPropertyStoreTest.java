package dev.mixrelay.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class SuperPropertyStoreTest {
  private static ObjectNode obj() {
    return JsonNodeFactory.instance.objectNode();
  }

  @Test
  void remembersNothingForAnUnknownUser() {
    SuperPropertyStore store = SuperPropertyStore.inMemory(10);
    assertThat(store.get("main", "u1")).isNull();
    assertThat(store.get("main", null)).isNull();
  }

  @Test
  void mergesKeysOverWhatIsRemembered() {
    SuperPropertyStore store = SuperPropertyStore.inMemory(10);
    store.merge("main", "u1", obj().put("plan", "free").put("company", "Acme"));
    store.merge("main", "u1", obj().put("plan", "pro"));
    assertThat(store.get("main", "u1")).isEqualTo(obj().put("plan", "pro").put("company", "Acme"));
  }

  @Test
  void aNullValueForgetsTheKey() {
    SuperPropertyStore store = SuperPropertyStore.inMemory(10);
    store.merge("main", "u1", obj().put("plan", "pro").put("company", "Acme"));
    store.merge("main", "u1", obj().putNull("company"));
    assertThat(store.get("main", "u1")).isEqualTo(obj().put("plan", "pro"));
    store.merge("main", "u1", obj().putNull("plan"));
    assertThat(store.get("main", "u1")).isNull();
  }

  @Test
  void keepsDestinationsApart() {
    SuperPropertyStore store = SuperPropertyStore.inMemory(10);
    store.merge("eu", "u1", obj().put("plan", "pro"));
    assertThat(store.get("us", "u1")).isNull();
  }

  @Test
  void aReaderNeverSeesTheObjectChangeAndTheInputIsNotKept() {
    SuperPropertyStore store = SuperPropertyStore.inMemory(10);
    ObjectNode input = obj().put("plan", "free");
    store.merge("main", "u1", input);
    ObjectNode read = store.get("main", "u1");
    input.put("plan", "changed-by-caller");
    store.merge("main", "u1", obj().put("plan", "pro"));
    assertThat(read).isEqualTo(obj().put("plan", "free"));
    assertThat(store.get("main", "u1")).isEqualTo(obj().put("plan", "pro"));
  }

  @Test
  void staysWithinItsBound() {
    SuperPropertyStore store = SuperPropertyStore.inMemory(100);
    for (int i = 0; i < 5_000; i++) {
      store.merge("main", "u" + i, obj().put("n", i));
    }
    ((InMemorySuperPropertyStore) store).cleanUp();
    assertThat(store.size()).isLessThanOrEqualTo(100);
  }

  @Test
  void refusesABoundBelowOne() {
    assertThatThrownBy(() -> SuperPropertyStore.inMemory(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxUsers must be at least 1, was 0");
  }
}

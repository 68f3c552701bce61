package dev.mixrelay.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.MixpanelSettings;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InsertIdsTest {
  private static final UUID URL_NAMESPACE = UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8");
  private static final UUID DEFAULT = MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE;

  @Test
  void matchesTheReferenceVectorsComputedWithPythonUuid5() {
    // segment-mixpanel-mapping.md section 5, computed with Python's uuid.uuid5
    assertThat(InsertIds.of(URL_NAMESPACE, "msg-123", "proj-1", "Order Completed"))
        .isEqualTo("fdf36fef-b600-5d8a-9268-988f78513fab");
    assertThat(InsertIds.of(URL_NAMESPACE, "msg-123", "proj-1", "Loaded a Page"))
        .isEqualTo("30aeca04-18f7-5920-948d-8ad36a01fa19");
  }

  @Test
  void theSameMessageAlwaysYieldsTheSameId() {
    String first = InsertIds.of(DEFAULT, "m-1", "T0KEN", "Order Completed");
    for (int i = 0; i < 100; i++) {
      assertThat(InsertIds.of(DEFAULT, "m-1", "T0KEN", "Order Completed")).isEqualTo(first);
    }
  }

  @Test
  void differentEventNamesFromOneMessageYieldDifferentIds() {
    Set<String> ids = new HashSet<>();
    for (String name : new String[] {"Loaded a Page", "Viewed Docs Page",
        "Viewed Docs Mixpanel Page", "$identify"}) {
      ids.add(InsertIds.of(DEFAULT, "m-1", "T0KEN", name));
    }
    assertThat(ids).hasSize(4);
  }

  @Test
  void theProjectKeyAndNamespaceAreInTheName() {
    String base = InsertIds.of(DEFAULT, "m-1", "T0KEN", "E");
    assertThat(InsertIds.of(DEFAULT, "m-1", "1234567", "E")).isNotEqualTo(base);
    assertThat(InsertIds.of(URL_NAMESPACE, "m-1", "T0KEN", "E")).isNotEqualTo(base);
  }

  @Test
  void everyIdIs36CharactersOfLowerHexAndDashesEvenForLongOddMessageIds() {
    String[] messageIds = {"m-1", "node-next-1718000000123-" + UUID.randomUUID(),
        "ajs-next-" + "x".repeat(90), "a:b:c", "ünïcødé-🙂", ""};
    for (String id : messageIds) {
      assertThat(InsertIds.of(DEFAULT, id, "T0KEN", "Order Completed"))
          .hasSize(36)
          .matches("[0-9a-f-]{36}");
    }
  }

  @Test
  void isAVersion5Uuid() {
    UUID id = UUID.fromString(InsertIds.of(DEFAULT, "m-1", "T0KEN", "E"));
    assertThat(id.version()).isEqualTo(5);
  }

  @Test
  void threadsComputeTheSameIds() throws InterruptedException {
    String expected = InsertIds.of(DEFAULT, "m-7", "T0KEN", "E");
    String[] seen = new String[1];
    Thread t = new Thread(() -> seen[0] = InsertIds.of(DEFAULT, "m-7", "T0KEN", "E"));
    t.start();
    t.join();
    assertThat(seen[0]).isEqualTo(expected);
  }
}

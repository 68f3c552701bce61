package dev.mixrelay.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The intake topic's record format: the identity key and the two headers. */
class KafkaRecordsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest(name = "{0} is keyed {1}")
  @CsvSource(delimiter = '|', nullValues = "null", value = {
      "{\"anonymousId\":\"a1\",\"userId\":\"u1\"}  | a1",
      "{\"userId\":\"u1\"}                         | u1",
      "{\"anonymousId\":\"\",\"userId\":\"u1\"}    | u1",
      "{\"anonymousId\":null,\"userId\":\"u1\"}    | u1",
      "{\"userId\":42}                             | 42",
      "{\"event\":\"E\"}                           | null",
      "not json                                    | null"})
  void theKeyIsTheAnonymousIdElseTheUserId(String json, String key) throws Exception {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertThat(KafkaRecords.identityKey(new LogEntry("s", bytes))).as("from the bytes")
        .isEqualTo(key);
    if (!json.startsWith("not")) {
      assertThat(KafkaRecords.identityKey(new LogEntry("s", bytes, JSON.readTree(bytes))))
          .as("from the tree").isEqualTo(key);
    }
  }

  @Test
  void theRecordCarriesTheSourceTheAppendTimeAndSequenceBigEndian() {
    byte[] json = "{\"userId\":\"u1\"}".getBytes(StandardCharsets.UTF_8);
    var r = KafkaRecords.record("t", new LogEntry("web", json), 0x0102030405060708L, 42);
    assertThat(r.topic()).isEqualTo("t");
    assertThat(r.key()).isEqualTo("u1");
    assertThat(r.value()).isSameAs(json);
    assertThat(r.partition()).isNull();
    assertThat(r.headers().lastHeader(KafkaRecords.SOURCE).value())
        .isEqualTo("web".getBytes(StandardCharsets.UTF_8));
    assertThat(r.headers().lastHeader(KafkaRecords.APPENDED_AT).value())
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(KafkaRecords.appendedAtMillis(r.headers())).isEqualTo(0x0102030405060708L);
    assertThat(KafkaRecords.appendSeq(r.headers())).isEqualTo(42);
  }
}

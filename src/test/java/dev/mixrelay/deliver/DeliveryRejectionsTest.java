package dev.mixrelay.deliver;

import static dev.mixrelay.deliver.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.FakeMixpanel.Reply;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryRejectionsTest extends DeliveryTestBase {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-11-23T15:00:00Z");

  @Override
  Clock clock() {
    return Clock.fixed(NOW, ZoneOffset.UTC);
  }

  @Test
  void threeRecordsRejectedByIndexAreExactlyTheDeadLettersAndReplayAfterAFix() throws Exception {
    mock.behave((ep, records, n) -> Reply.status(400, "{\"code\":400,\"error\":\"some data points"
        + " in the request failed validation\",\"num_records_imported\":97,\"status\":\"Bad"
        + " Request\",\"failed_records\":["
        + "{\"index\":3,\"insert_id\":\"" + id(records, 3) + "\",\"field\":\"properties.time\","
        + "\"message\":\"'properties.time' is invalid: must be specified as seconds since epoch\"},"
        + "{\"index\":10,\"$insert_id\":\"" + id(records, 10) + "\",\"field\":\"event\","
        + "\"message\":\"'event' must not be empty\"},"
        + "{\"index\":42,\"field\":\"properties.distinct_id\","
        + "\"message\":\"'properties.distinct_id' is invalid\"}]}"));
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        Fixtures.fast(2000, Duration.ofMillis(50)));
    List<MixpanelRecord> records = Fixtures.events(0, 100);

    await(delivery.send(dest, records), Duration.ofSeconds(10));

    assertThat(mock.requestCount()).isEqualTo(1);
    assertThat(sink.letters).extracting(l -> l.destination(), l -> l.endpoint(), l -> l.time())
        .containsOnly(org.assertj.core.groups.Tuple.tuple("main", Endpoint.IMPORT, NOW));
    assertThat(sink.letters).extracting(DeadLetter::record).containsExactly(
        records.get(3).body().toString(), records.get(10).body().toString(),
        records.get(42).body().toString());
    assertThat(sink.letters).extracting(DeadLetter::reason).containsExactly(
        "'properties.time' is invalid: must be specified as seconds since epoch",
        "'event' must not be empty", "'properties.distinct_id' is invalid");
    assertThat(listener.count("dead")).isEqualTo(3);

    // replay after "fixing" Mixpanel: a dead letter's JSON and endpoint make the record again
    mock.reset();
    List<MixpanelRecord> replay = new ArrayList<>();
    for (DeadLetter l : sink.letters) {
      replay.add(new MixpanelRecord(l.endpoint(),
          (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(l.record())));
    }
    await(delivery.send(dest, replay), Duration.ofSeconds(10));
    assertThat(Fixtures.insertIds(mock.accepted(Endpoint.IMPORT))).containsExactly(
        Fixtures.insertId(3), Fixtures.insertId(10), Fixtures.insertId(42));
  }

  @Test
  void aRejectionIsMatchedByInsertIdWhenTheIndexDisagrees() throws Exception {
    mock.behave((ep, records, n) -> Reply.status(400, "{\"failed_records\":[{\"index\":0,"
        + "\"insert_id\":\"" + id(records, 7) + "\",\"message\":\"bad\"}]}"));
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        Fixtures.fast(2000, Duration.ofMillis(20)));
    List<MixpanelRecord> records = Fixtures.events(0, 10);

    await(delivery.send(dest, records), Duration.ofSeconds(10));

    assertThat(sink.letters).singleElement()
        .satisfies(l -> assertThat(l.record()).isEqualTo(records.get(7).body().toString()));
  }

  @Test
  void a413SplitsTheBatchInHalvesUntilItFits() throws Exception {
    mock.behave((ep, records, n) -> records.size() > 250
        ? Reply.status(413, "{\"error\":\"request exceeds max limit of 2097152 bytes\"}")
        : Reply.ok());
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        Fixtures.fast(1000, Duration.ofMillis(20)));

    await(delivery.send(dest, Fixtures.events(0, 1000)), Duration.ofSeconds(10));

    List<JsonNode> arrived = mock.accepted(Endpoint.IMPORT);
    assertThat(arrived).hasSize(1000);
    assertThat(new HashSet<>(Fixtures.insertIds(arrived))).hasSize(1000);
    assertThat(mock.calls()).filteredOn(c -> c.status() == 200)
        .allSatisfy(c -> assertThat(c.records()).hasSize(250));
    assertThat(listener.count("split")).isEqualTo(3);
    assertThat(sink.letters).isEmpty();
  }

  @Test
  void aSingleRecordTooLargeIsDeadLettered() throws Exception {
    mock.behave((ep, records, n) -> Reply.status(413, "{\"error\":\"too big\"}"));
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        Fixtures.fast(2000, Duration.ofMillis(20)));

    await(delivery.send(dest, Fixtures.events(0, 2)), Duration.ofSeconds(10));

    assertThat(sink.letters).extracting(DeadLetter::reason).containsExactly("413 too big",
        "413 too big");
  }

  @Test
  void anEngageErrorInsideA200IsDeadLetteredNotLost() throws Exception {
    mock.behave((ep, records, n) -> ep == Endpoint.ENGAGE
        ? Reply.status(200, "{\"status\":0,\"error\":\"$distinct_id is required\"}")
        : Reply.ok());
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        Fixtures.fast(2000, Duration.ofMillis(20)));

    await(delivery.send(dest, List.of(Fixtures.engage(1), Fixtures.group(2), Fixtures.event(3))),
        Duration.ofSeconds(10));

    assertThat(sink.letters).singleElement().satisfies(l -> {
      assertThat(l.endpoint()).isEqualTo(Endpoint.ENGAGE);
      assertThat(l.reason()).isEqualTo("$distinct_id is required");
    });
  }

  @Test
  void aFailingSinkIsRetriedBeforeTheRecordCountsAsDone() throws Exception {
    sink.failuresLeft = 2;
    mock.behave((ep, records, n) -> Reply.status(400, "{\"error\":\"malformed\"}"));
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        Fixtures.fast(2000, Duration.ofMillis(20)));
    List<Future<Void>> sends = new ArrayList<>();
    sends.add(delivery.send(dest, Fixtures.events(0, 3)));

    await(Future.all(sends), Duration.ofSeconds(10));

    assertThat(sink.failuresLeft).isZero();
    assertThat(sink.letters).hasSize(3).allSatisfy(l -> assertThat(l.reason())
        .isEqualTo("malformed"));
  }

  private static String id(List<JsonNode> records, int i) {
    return records.get(i).path("properties").path("$insert_id").asText();
  }
}

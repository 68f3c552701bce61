package dev.mixrelay.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class BatchingPartsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Item item(MixpanelRecord r) throws Exception {
    return new Item(r, JSON.writeValueAsBytes(r.body()), new Ticket(1));
  }

  @Test
  void anImportBodyIsAGzippedJsonArrayOfTheRecords() throws Exception {
    Batch batch = new Batch(Endpoint.IMPORT);
    batch.add(item(Fixtures.event(1)));
    batch.add(item(Fixtures.event(2)));

    byte[] body = batch.encode().getBytes();
    byte[] raw = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();

    assertThat(JSON.readTree(raw)).isEqualTo(JSON.createArrayNode()
        .add(Fixtures.event(1).body()).add(Fixtures.event(2).body()));
    assertThat((long) raw.length).isEqualTo(batch.bytes);
  }

  @Test
  void anEngageBodyIsPlainJson() throws Exception {
    Batch batch = new Batch(Endpoint.ENGAGE);
    batch.add(item(Fixtures.engage(1)));

    assertThat(JSON.readTree(batch.encode().getBytes()))
        .isEqualTo(JSON.createArrayNode().add(Fixtures.engage(1).body()));
  }

  @Test
  void aBatchIsFullByCountOrBytesButAcceptsOneOversizedRecord() throws Exception {
    Batch batch = new Batch(Endpoint.IMPORT);
    Item one = item(Fixtures.event(1));
    assertThat(batch.fits(one, 2, 10)).isTrue();
    batch.add(one);
    assertThat(batch.fits(item(Fixtures.event(2)), 2, 10)).isFalse();
    assertThat(batch.fits(item(Fixtures.event(2)), 2, 10_000)).isTrue();
    batch.add(item(Fixtures.event(2)));
    assertThat(batch.fits(item(Fixtures.event(3)), 2, 10_000)).isFalse();
  }

  @Test
  void halvesKeepEveryRecordInOrder() throws Exception {
    Batch batch = new Batch(Endpoint.IMPORT);
    for (int i = 0; i < 5; i++) {
      batch.add(item(Fixtures.event(i)));
    }
    var halves = batch.halves();
    assertThat(halves.get(0).items).extracting(Item::insertId)
        .containsExactly(Fixtures.insertId(0), Fixtures.insertId(1));
    assertThat(halves.get(1).items).extracting(Item::insertId)
        .containsExactly(Fixtures.insertId(2), Fixtures.insertId(3), Fixtures.insertId(4));
    assertThat(halves.get(0).bytes + halves.get(1).bytes).isEqualTo(batch.bytes + 1);
  }

  @Test
  void backoffDoublesFromTheInitialWaitUpToTheCapPlusAtMostAQuarterJitterAlsoAtTheCap() {
    Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60));
    assertThat(backoff.delay(1, 0)).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.delay(2, 0)).isEqualTo(Duration.ofSeconds(4));
    assertThat(backoff.delay(5, 0)).isEqualTo(Duration.ofSeconds(32));
    assertThat(backoff.delay(6, 0)).isEqualTo(Duration.ofSeconds(60));
    assertThat(backoff.delay(40, 0)).isEqualTo(Duration.ofSeconds(60));
    assertThat(backoff.delay(3, 0.5)).isEqualTo(Duration.ofSeconds(9));
    assertThat(backoff.delay(40, 0.5)).isEqualTo(Duration.ofMillis(67_500));
    assertThat(backoff.delay(1, 0.999)).isBetween(Duration.ofMillis(2490), Duration.ofMillis(2500));
    assertThat(backoff.delay(40, 0.999)).isBetween(Duration.ofMillis(74_900), Duration.ofSeconds(75));
    assertThat(backoff.slow()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void theConcurrencyLimitGrowsWhileUsedAndHalvesOncePerOverload() {
    AimdLimit limit = new AimdLimit(4, 16);
    for (int i = 0; i < 5; i++) {
      limit.onSuccess(limit.current());
    }
    assertThat(limit.current()).isEqualTo(5);
    limit.onSuccess(1);
    assertThat(limit.current()).isEqualTo(5);

    long epoch = limit.epoch();
    assertThat(limit.onOverload(epoch)).isTrue();
    assertThat(limit.current()).isEqualTo(2);
    assertThat(limit.onOverload(epoch)).as("same wave of requests").isFalse();
    assertThat(limit.current()).isEqualTo(2);
    limit.onOverload(limit.epoch());
    limit.onOverload(limit.epoch());
    assertThat(limit.current()).isEqualTo(1);
    for (int i = 0; i < 10_000; i++) {
      limit.onSuccess(16);
    }
    assertThat(limit.current()).isEqualTo(16);
  }
}

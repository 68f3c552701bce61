package dev.mixrelay.deliver;

import static dev.mixrelay.deliver.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixrelay.config.DeliveryConfig;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.FakeMixpanel.Call;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryHappyPathTest extends DeliveryTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();


  @Test
  void tenThousandMixedRecordsArriveExactlyInFullBatches() throws Exception {
    // a linger long enough that a cold JVM on a busy machine still fills batches
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        new DeliveryConfig(null, null, Duration.ofSeconds(1), null, null, null, null));
    List<MixpanelRecord> all = new ArrayList<>();
    List<List<MixpanelRecord>> messages = new ArrayList<>();
    for (int i = 0; i < 10_000; i += 10) {
      List<MixpanelRecord> message = new ArrayList<>();
      for (int j = i; j < i + 10; j++) {
        message.add(j % 10 < 8 ? Fixtures.event(j) : j % 10 == 8 ? Fixtures.engage(j)
            : Fixtures.group(j));
      }
      all.addAll(message);
      messages.add(message);
    }
    long t0 = System.nanoTime();
    List<Future<Void>> sends = messages.stream().map(m -> delivery.send(dest, m)).toList();
    System.out.printf("happy path: handed over in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    await(Future.all(sends), Duration.ofSeconds(30));

    for (Endpoint ep : Endpoint.values()) {
      List<String> expected = all.stream().filter(r -> r.endpoint() == ep)
          .map(r -> r.body().toString()).sorted().toList();
      List<String> got = mock.accepted(ep).stream().map(JsonNode::toString).sorted().toList();
      assertThat(got).as(ep.path()).isEqualTo(expected);
    }
    List<Call> calls = mock.calls();
    assertThat(calls).allSatisfy(c -> {
      assertThat(c.records()).hasSizeLessThanOrEqualTo(2000);
      assertThat(c.status()).isEqualTo(200);
      assertThat(c.authorization()).isEqualTo("Basic " + Base64.getEncoder()
          .encodeToString("sa.user:s3cr3t".getBytes(StandardCharsets.UTF_8)));
    });
    List<Call> imports = calls.stream().filter(c -> c.endpoint() == Endpoint.IMPORT).toList();
    assertThat(imports).allSatisfy(c -> {
      assertThat(c.url()).isEqualTo("/import?strict=1&project_id=1234");
      assertThat(c.contentEncoding()).isEqualTo("gzip");
    });
    assertThat(calls).filteredOn(c -> c.endpoint() != Endpoint.IMPORT).allSatisfy(c -> {
      assertThat(c.url()).endsWith("?strict=1&verbose=1");
      assertThat(c.contentEncoding()).isNull();
    });
    double mean = imports.stream().mapToInt(c -> c.records().size()).average().orElse(0);
    System.out.printf("happy path: %d /import requests, mean %.1f records per request%n",
        imports.size(), mean);
    assertThat(mean).isGreaterThanOrEqualTo(1900);
    assertThat(sink.letters).isEmpty();
  }

  @Test
  void aBatchIsSentAfterTheLingerWhenNotFull() throws Exception {
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        new DeliveryConfig(null, null, Duration.ofMillis(100), null, null, null, null));
    await(delivery.send(dest, Fixtures.events(0, 3)), Duration.ofSeconds(5));
    await(delivery.send(dest, Fixtures.events(3, 5)), Duration.ofSeconds(5));

    assertThat(mock.calls()).hasSize(2);
    assertThat(Fixtures.insertIds(mock.accepted(Endpoint.IMPORT)))
        .containsExactly(Fixtures.insertId(0), Fixtures.insertId(1), Fixtures.insertId(2),
            Fixtures.insertId(3), Fixtures.insertId(4));
  }

  @Test
  void batchesStayUnderTheByteLimit() throws Exception {
    int oneRecord = JSON.writeValueAsBytes(Fixtures.event(0).body()).length;
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        new DeliveryConfig(null, 1024 * 4, Duration.ofMillis(20), null, null, null, null));
    await(delivery.send(dest, Fixtures.events(0, 200)), Duration.ofSeconds(10));

    assertThat(mock.accepted(Endpoint.IMPORT)).hasSize(200);
    assertThat(mock.calls()).allSatisfy(c -> assertThat(c.records().toString().length())
        .isLessThanOrEqualTo(4096));
    assertThat(mock.calls().size()).isGreaterThanOrEqualTo(200 * oneRecord / 4096);
  }

  @Test
  void aTokenOnlyDestinationSendsNoProjectIdAndHonoursStrictModeOff() throws Exception {
    DestinationConfig dest = new DestinationConfig("tokenOnly", "tok", null, null, null, null,
        mock.baseUrl(), new dev.mixrelay.config.MixpanelSettings(null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null, null, false),
        null, new DeliveryConfig(null, null, Duration.ofMillis(10), null, null, null, null));
    await(delivery.send(dest, Fixtures.events(0, 2)), Duration.ofSeconds(5));

    assertThat(mock.calls()).singleElement().satisfies(c -> {
      assertThat(c.url()).isEqualTo("/import?strict=0");
      assertThat(c.authorization()).isEqualTo("Basic " + Base64.getEncoder()
          .encodeToString("tok:".getBytes(StandardCharsets.UTF_8)));
    });
  }
}

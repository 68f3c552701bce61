package dev.mixrelay.deliver;

import static dev.mixrelay.deliver.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mixrelay.config.DeliveryConfig;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.FakeMixpanel.Reply;
import dev.mixrelay.mixpanel.Endpoint;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryReadinessTest extends DeliveryTestBase {

  @Test
  void refusedCredentialsStopSendingMarkNotReadyAndProbeSlowlyUntilFixed() throws Exception {
    mock.behave((ep, records, n) -> Reply.status(401,
        "{\"code\":401,\"error\":\"Invalid credentials\",\"status\":\"Unauthorized\"}"));
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(), new DeliveryConfig(100, null,
        Duration.ofMillis(10), 16, Duration.ofSeconds(2), Duration.ofMillis(20),
        Duration.ofMillis(400)));
    Future<Void> first = delivery.send(dest, Fixtures.events(0, 500));
    Fixtures.eventually(vertx, Duration.ofSeconds(5), () -> !delivery.ready("main"));
    Future<Void> second = delivery.send(dest, Fixtures.events(500, 600));

    Fixtures.pause(vertx, Duration.ofMillis(1500));

    assertThat(delivery.ready("main")).isFalse();
    assertThat(first.isComplete()).isFalse();
    assertThat(second.isComplete()).isFalse();
    // the first wave (the initial concurrency limit, 4) plus one probe per 400 ms: about 8;
    // retrying each batch on the 20 ms backoff instead would make well over 50
    assertThat(mock.requestCount()).isLessThanOrEqualTo(12);
    assertThat(listener.readiness).containsExactly(false);
    assertThat(sink.letters).isEmpty();

    mock.behave((ep, records, n) -> Reply.ok());
    await(Future.all(first, second), Duration.ofSeconds(10));

    assertThat(delivery.ready("main")).isTrue();
    assertThat(listener.readiness).containsExactly(false, true);
    assertThat(mock.accepted(Endpoint.IMPORT)).hasSize(600);
  }

  @Test
  void probesContinueWhenAProbeMeetsServerErrorsThatOpenTheBreaker() throws Exception {
    mock.behave((ep, records, n) -> n == 0 ? Reply.status(401, "{\"error\":\"Invalid\"}")
        : n <= 14 ? Reply.status(503, "{}") : Reply.ok());
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(), new DeliveryConfig(100, null,
        Duration.ofMillis(10), 16, Duration.ofSeconds(2), Duration.ofMillis(10),
        Duration.ofMillis(50)));

    await(delivery.send(dest, Fixtures.events(0, 50)), Duration.ofSeconds(20));

    assertThat(delivery.ready("main")).isTrue();
    assertThat(listener.breakerStates).contains("OPEN");
    assertThat(mock.accepted(Endpoint.IMPORT)).hasSize(50);
  }

  @Test
  void closeFlushesOpenBatchesWithoutWaitingForTheLinger() throws Exception {
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        new DeliveryConfig(null, null, Duration.ofSeconds(30), null, null, null, null));
    Future<Void> sent = delivery.send(dest, Fixtures.events(0, 5));

    await(delivery.close(Duration.ofSeconds(5)), Duration.ofSeconds(3));

    assertThat(sent.succeeded()).isTrue();
    assertThat(mock.accepted(Endpoint.IMPORT)).hasSize(5);
  }

  @Test
  void closeGivesUpAtTheDeadlineAndFailsUnfinishedSends() throws Exception {
    mock.behave((ep, records, n) -> Reply.status(503, "{}"));
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        Fixtures.fast(2000, Duration.ofMillis(10)));
    Future<Void> sent = delivery.send(dest, Fixtures.events(0, 5));
    Fixtures.eventually(vertx, Duration.ofSeconds(5), () -> mock.requestCount() > 0);

    await(delivery.close(Duration.ofMillis(300)), Duration.ofSeconds(3));

    assertThat(sent.failed()).isTrue();
    assertThat(sent.cause()).hasMessageContaining("stay in the intake log");
    assertThatThrownBy(() -> await(delivery.send(dest, Fixtures.events(5, 6)),
        Duration.ofSeconds(1))).hasMessageContaining("closed");
  }

  @Test
  void anUnknownDestinationIsReady() {
    assertThat(delivery.ready("nobody")).isTrue();
    assertThat(delivery.send(Fixtures.destination(mock.baseUrl(), null), List.of()).succeeded())
        .isTrue();
  }
}

package dev.mixrelay.deliver;

import static dev.mixrelay.deliver.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.FakeMixpanel.Reply;
import dev.mixrelay.demo.ManualClock;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the operator reads when a destination fails and recovers: few lines, each actionable. */
class DestinationFailureLogTest extends DeliveryTestBase {
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private Logger logger;

  @BeforeEach
  void capture() {
    logger = (Logger) LoggerFactory.getLogger(MixpanelDelivery.class);
    logged.start();
    logger.addAppender(logged);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logged);
  }

  private List<String> warnings() {
    return logged.list.stream().filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void oneWarningWhenItStartsFailingAndOneWhenItRecoversWithTheStateInBetween() throws Exception {
    mock.behave((ep, records, n) -> n < 6 ? Reply.status(503, "{}") : Reply.ok());
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        Fixtures.fast(2000, Duration.ofMillis(10)));
    Future<Void> sent = delivery.send(dest, Fixtures.events(0, 20));
    Fixtures.eventually(vertx, Duration.ofSeconds(5), () -> !delivery.state("main").ok());
    DestinationState failing = delivery.state("main");
    assertThat(failing.state()).isEqualTo("failing");
    // a loaded machine may time the first request out (500 ms) before the mock's 503
    assertThat(failing.cause()).matches("/import (answered HTTP 503|timed out after 500ms)");
    assertThat(failing.since()).isNotNull();

    await(sent, Duration.ofSeconds(10));

    assertThat(delivery.state("main")).isEqualTo(DestinationState.OK);
    List<String> warnings = warnings();
    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(0)).startsWith("destination main is failing: /import ")
        .contains("; 20 record(s) waiting, retried with backoff");
    assertThat(warnings.get(1)).startsWith("destination main recovered after")
        .contains("request(s) failed, last: /import ");
  }

  @Test
  void anUnreachableHostIsNamedAsSuch() throws Exception {
    DestinationConfig dest = Fixtures.destination("http://127.0.0.1:1",
        Fixtures.fast(2000, Duration.ofMillis(10)));
    delivery.send(dest, Fixtures.events(0, 3));
    Fixtures.eventually(vertx, Duration.ofSeconds(5), () -> !delivery.state("main").ok());
    assertThat(delivery.state("main").cause()).startsWith("/import could not connect (");
    assertThat(warnings()).hasSize(1);
  }

  @Test
  void whileItKeepsFailingASummaryComesAtMostOnceAMinute() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    FailureLog log = new FailureLog("main", clock);
    log.failed("/import answered HTTP 502", false, 10);
    for (int i = 0; i < 100; i++) {
      clock.advance(Duration.ofSeconds(1));
      log.failed("/import answered HTTP 502", false, 10 + i);
    }
    assertThat(warnings()).hasSize(2);
    assertThat(warnings().get(1)).startsWith("destination main still failing after 1m: 60"
        + " request(s) failed since the last report (last: /import answered HTTP 502)");
    assertThat(log.state().failedRequests()).isEqualTo(101);
    log.succeeded();
    assertThat(warnings()).hasSize(3);
    assertThat(log.state()).isEqualTo(DestinationState.OK);
  }

  @Test
  void rateLimitingAloneIsNotFailure() {
    FailureLog log = new FailureLog("main", new ManualClock(Instant.EPOCH));
    log.failed("/import answered HTTP 429", true, 5);
    log.succeeded();
    assertThat(warnings()).isEmpty();
    assertThat(log.state().ok()).isTrue();
  }
}

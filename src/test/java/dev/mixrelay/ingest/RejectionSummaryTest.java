package dev.mixrelay.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.mixrelay.demo.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Intake refusals reach the log as one line, then a summary per source and reason a minute. */
class RejectionSummaryTest {

  @Test
  void theFirstRefusalIsToldAtOnceThenAMinutesWorthPerSourceAndReason() {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(IntakeRoutes.class);
    logged.start();
    logger.addAppender(logged);
    try {
      ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
      List<String> metrics = new ArrayList<>();
      RejectionSummary summary = new RejectionSummary(new IntakeListener() {
        @Override
        public void rejected(String source, String reason) {
          metrics.add(source + "/" + reason);
        }
      }, clock);
      summary.rejected("app", "invalid_message");
      for (int i = 0; i < 30; i++) {
        clock.advance(Duration.ofSeconds(1));
        summary.rejected(i % 3 == 0 ? "-" : "app", i % 3 == 0 ? "unauthorized" : "invalid_json");
      }
      clock.advance(Duration.ofSeconds(31));
      summary.rejected("app", "invalid_json");

      assertThat(metrics).hasSize(32);
      List<String> lines = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(lines).containsExactly(
          "intake refused a message (source app, reason invalid_message); further refusals are"
              + " summarised at most once a minute",
          "intake refused 31 message(s) or request(s) in the last 1 min: source - unauthorized"
              + " x10, source app invalid_json x21");
    } finally {
      logger.detachAppender(logged);
    }
  }

  @Test
  void theEndOfABurstIsToldByTheTimerWhenNoRefusalFollows() {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(IntakeRoutes.class);
    logged.start();
    logger.addAppender(logged);
    try {
      ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
      RejectionSummary summary = new RejectionSummary(new IntakeListener() {}, clock);
      summary.rejected("app", "invalid_message");
      clock.advance(Duration.ofSeconds(5));
      summary.rejected("app", "invalid_json");
      summary.rejected("app", "invalid_json");
      summary.summariseDue(); // within the minute: nothing yet
      assertThat(logged.list).hasSize(1);
      clock.advance(Duration.ofSeconds(56));
      summary.summariseDue();
      summary.summariseDue(); // told once
      List<String> lines = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(lines).hasSize(2);
      assertThat(lines.get(1)).isEqualTo("intake refused 2 message(s) or request(s) in the last 1"
          + " min: source app invalid_json x2");
    } finally {
      logger.detachAppender(logged);
    }
  }
}

package dev.mixrelay.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import dev.mixrelay.config.LoggingConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies {@code logging.level} and {@code logging.format} (text or JSON lines) at start-up. */
final class Logging {
  private Logging() {}

  static void configure(LoggingConfig config) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(config.level(), Level.INFO));
    if (config.format() == LoggingConfig.Format.json) {
      ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
      appender.setContext(ctx);
      appender.setName("JSON");
      appender.setTarget("System.err");
      JsonEncoder encoder = new JsonEncoder();
      encoder.setContext(ctx);
      encoder.setWithArguments(false);
      encoder.setWithFormattedMessage(true);
      encoder.setWithMessage(false);
      encoder.setWithContext(false);
      encoder.setWithSequenceNumber(false);
      encoder.setWithNanoseconds(false);
      encoder.start();
      appender.setEncoder(encoder);
      appender.start();
      root.detachAndStopAllAppenders();
      root.addAppender(appender);
    }
  }
}

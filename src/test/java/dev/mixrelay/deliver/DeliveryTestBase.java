package dev.mixrelay.deliver;

import static dev.mixrelay.deliver.Fixtures.await;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The lifecycle the delivery tests share: one fake Mixpanel per class, reset before each test, and
 * a fresh Vert.x, dead-letter sink, counting listener and {@link Delivery} per test.
 */
abstract class DeliveryTestBase {
  static FakeMixpanel mock;
  Vertx vertx;
  Fixtures.MemorySink sink;
  Fixtures.Counting listener;
  Delivery delivery;

  @BeforeAll
  static void startMock() {
    mock = new FakeMixpanel();
  }

  @AfterAll
  static void stopMock() {
    mock.close();
  }

  /** The clock delivery stamps dead letters with; tests that compare times fix it. */
  Clock clock() {
    return Clock.systemUTC();
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    mock.reset();
    sink = new Fixtures.MemorySink();
    listener = new Fixtures.Counting();
    delivery = Delivery.create(vertx, sink, listener, clock());
  }

  @AfterEach
  void stop() throws Exception {
    await(delivery.close(Duration.ofSeconds(1)), Duration.ofSeconds(5));
    await(vertx.close(), Duration.ofSeconds(5));
  }
}

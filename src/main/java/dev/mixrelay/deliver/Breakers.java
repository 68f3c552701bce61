package dev.mixrelay.deliver;

import dev.mixrelay.config.DeliveryConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breaker of one destination: opens when half of the last 20 requests (at least 10)
 * met 429, 5xx, timeouts or connection errors; while open nothing is sent; after a wait that
 * starts at twice the initial backoff and doubles up to the maximum backoff one probe request
 * decides whether it closes. Driven by delivery's event loop (no scheduler threads).
 */
final class Breakers {
  private static final Logger LOG = LoggerFactory.getLogger(Breakers.class);

  private Breakers() {}

  static CircuitBreaker create(String destination, DeliveryConfig config,
      DeliveryListener listener) {
    Duration firstWait = config.initialBackoff().multipliedBy(2);
    if (firstWait.compareTo(config.maxBackoff()) > 0) {
      firstWait = config.maxBackoff();
    }
    CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.custom()
        .slidingWindowType(SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(20)
        .minimumNumberOfCalls(10)
        .failureRateThreshold(50)
        .permittedNumberOfCallsInHalfOpenState(1)
        .waitIntervalFunctionInOpenState(
            IntervalFunction.ofExponentialBackoff(firstWait, 2.0, config.maxBackoff()))
        .recordException(e -> e instanceof DestinationSender.RetryableResponse)
        .build();
    CircuitBreaker breaker = CircuitBreaker.of("mixpanel-" + destination, breakerConfig);
    breaker.getEventPublisher().onStateTransition(event -> {
      CircuitBreaker.State to = event.getStateTransition().getToState();
      if (to == CircuitBreaker.State.OPEN) {
        LOG.warn("destination {}: Mixpanel keeps failing, circuit breaker open; records stay queued",
            destination);
      } else if (to == CircuitBreaker.State.CLOSED) {
        LOG.info("destination {}: Mixpanel answers again, circuit breaker closed", destination);
      }
      listener.breakerStateChanged(destination, to.name());
    });
    return breaker;
  }
}

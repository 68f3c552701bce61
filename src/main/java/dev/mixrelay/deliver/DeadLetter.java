package dev.mixrelay.deliver;

import dev.mixrelay.mixpanel.Endpoint;
import java.time.Instant;

/**
 * A record Mixpanel will never accept as it is: where it was going, its JSON, Mixpanel's reason,
 * and when it was given up on.
 */
public record DeadLetter(String destination, Endpoint endpoint, String record, String reason,
    Instant time) {}

package dev.mixrelay.log;

/**
 * The log's backlog: messages and bytes above the acknowledged offset, and the append time of the
 * oldest of them (0 when there are none).
 */
public record LogStats(long unackedMessages, long unackedBytes, long oldestUnackedMillis,
    long acknowledgedOffset, long lastOffset) {}

package dev.mixrelay.log;

/**
 * A record that will never be accepted as it is: where it was going, the record's JSON, the
 * reason, and when. {@code id} is 0 before it is stored.
 */
public record DeadLetterRow(long id, String destination, String endpoint, String record,
    String reason, long createdAtMillis) {}

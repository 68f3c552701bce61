package dev.mixrelay.log;

/** A message read back from the log, with its offset (strictly increasing) and append time. */
public record StoredMessage(long offset, String source, byte[] json, long appendedAtMillis) {}

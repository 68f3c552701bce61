package dev.mixrelay.log;

/** One normalised Segment message to append: the source name it came from and its JSON bytes. */
public record LogEntry(String source, byte[] json) {}

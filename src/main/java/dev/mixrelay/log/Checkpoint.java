package dev.mixrelay.log;

/** Saved state of a pipeline stage and the log offset it reflects (every message up to it). */
public record Checkpoint(String name, long offset, byte[] state) {}

package dev.mixrelay.segment;

/** The outcome of validating one raw Segment message: a closed set. */
public sealed interface Validation {

  /** The message is well-formed and normalised. */
  record Valid(SegmentMessage message) implements Validation {}

  /** The message is rejected; {@code field} names what is wrong, {@code reason} says why. */
  record Invalid(String field, String reason) implements Validation {
    /** One line for error bodies: {@code "event: is required for track"}. */
    public String describe() {
      return field + ": " + reason;
    }
  }
}

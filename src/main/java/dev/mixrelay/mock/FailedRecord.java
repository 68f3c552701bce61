package dev.mixrelay.mock;

/** One record the mock refused, as Mixpanel lists it in {@code failed_records}. */
record FailedRecord(int index, String insertId, String field, String message) {}

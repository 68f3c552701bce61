package dev.mixrelay.log;

/**
 * The embedded engine's durable intake log: accepted messages in arrival order, an acknowledged
 * offset, stage checkpoints and dead letters (SQLite, {@link SqliteIntakeLog}). Each stage uses
 * only the narrow interface it needs. All methods are safe to call from the event loop: blocking
 * work happens on the log's own writer/reader threads.
 */
public interface IntakeLog extends IntakeAppender, LogReader, CheckpointStore, DeadLetterStore,
    DeliveryMarks {}

/**
 * The durable intake log. The only package that knows its formats: with {@code engine: embedded}
 * one SQLite database in WAL mode under {@code storage.dir} (design constraints on {@code
 * SqliteIntakeLog}); with {@code engine: kafka} the intake topic ({@code KafkaIntakeLog}, record
 * format {@code KafkaRecords}; the topics are the cluster package's to create).
 */
package dev.mixrelay.log;

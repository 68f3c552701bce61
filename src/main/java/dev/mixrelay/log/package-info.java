/**
 * The durable intake log. The only package that knows the disk format: one SQLite database in WAL
 * mode under {@code storage.dir}. Design constraints are on {@code SqliteIntakeLog}.
 */
package dev.mixrelay.log;

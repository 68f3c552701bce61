/**
 * Delivery to Mixpanel: batching per destination and endpoint, the HTTP client, retries, the
 * circuit breaker, the adaptive concurrency limit and dead letters.
 *
 * <h2>Design</h2>
 *
 * <ul>
 *   <li>Public surface: {@link dev.mixrelay.deliver.Delivery} (and its {@code create}), the
 *       {@link dev.mixrelay.deliver.DeadLetterSink} it writes refused records to, the
 *       {@link dev.mixrelay.deliver.DeliveryListener} for telemetry, and the value types
 *       {@link dev.mixrelay.deliver.DeadLetter} and {@link dev.mixrelay.deliver.DeliveryOutcome}.
 *   <li>Every record is serialised once, on the caller's thread. A batch holds at most
 *       {@code delivery.maxBatchRecords} records and {@code delivery.maxBatchBytes} bytes of
 *       uncompressed JSON and is sealed when full or {@code delivery.linger} after it opened. Its
 *       body is encoded once on a worker thread and reused by every retry.
 *   <li>A response is classified by one pure function of (status, body, headers)
 *       ({@code ResponseClassifier}); the sender acts on the outcome: done, dead letters, split in
 *       halves, retry after a backoff, or stop-and-probe for refused credentials.
 *   <li>A {@code send} future completes only when each of its records is delivered or stored as
 *       a dead letter. Nothing is retried forever in memory across restarts: on close, unfinished
 *       sends fail and their messages stay unacknowledged in the intake log.
 *   <li>All state of one {@code Delivery} lives on one event-loop context; waits are Vert.x
 *       timers, never sleeps.
 * </ul>
 */
package dev.mixrelay.deliver;

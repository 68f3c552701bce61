/**
 * A mock Mixpanel shipped in the jar ({@code java -jar mixrelay.jar mock-mixpanel}, or embedded
 * with {@code apiHost: embedded-mock}), built on WireMock.
 *
 * <h2>Design</h2>
 *
 * <p>One WireMock stub catches every request and hands it to {@code MixpanelTransformer}, which
 * sends {@code /__mixpanel/*} to {@code AdminRoutes} and the four ingestion paths to {@code
 * IngestHandler}, after {@code FaultPlan} has decided whether this request fails, resets or passes.
 * The rules of a record are pure functions ({@code EventRules}, {@code ProfileRules}) of the record
 * and the time passed in. {@code RecordStore} keeps what was accepted under one lock; parsing,
 * validation and hashing happen before it is taken.
 *
 * <p>De-duplication is Mixpanel's query-time rule: two events with the same (event, distinct_id,
 * time in ms, $insert_id) are one, the later copy wins. Keys are kept as 128-bit hashes (about 20
 * bytes each), record bodies up to a byte budget, so a million-event backfill fits in memory. The
 * WireMock request journal is off for the same reason.
 *
 * <p>Where Mixpanel's documentation is silent the mock picks one documented behaviour and says so
 * in the README ("Mock Mixpanel"): a missing {@code strict} on /import means strict; /engage and
 * /groups with {@code strict=1} answer 200 with {@code failed_records} (inspect the body, as
 * Mixpanel advises); a gzip body on /engage or /groups is refused with 400.
 *
 * <p>May use {@code mixpanel} only (plus libraries).
 */
package dev.mixrelay.mock;

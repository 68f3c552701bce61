/**
 * The sessionizer: Mixpanel's session definition computed over a destination's outgoing events,
 * emitted as real Session Start / Session End {@code /import} events. Entry type
 * {@link dev.mixrelay.session.Sessionizer}, telemetry {@link dev.mixrelay.session.SessionListener}.
 *
 * <h2>Definition (Mixpanel's sessions doc; wire-protocols.md section E where it contradicts)</h2>
 * <ul>
 *   <li><b>Counted events</b>: {@code /import} events minus Mixpanel's default excluded list and
 *       {@code excludedEvents}. Ties in time keep arrival order.
 *   <li><b>User key</b>: {@code $user_id}; else the user linked to {@code $device_id}; else
 *       {@code $device:<device id>}; else {@code distinct_id} (original ID merge). An event carrying
 *       both {@code $user_id} and {@code $device_id} (the translated identify/alias), or an
 *       original-mode {@code $identify} with {@code $anon_id}/{@code $identified_id}, links the
 *       device once (the first user wins, as in Simplified ID Merge) at the event's time. The
 *       device's open session continues as the user's (re-keyed, not split); if the user already has
 *       an open session, the device's is closed as it is (two open sessions are never merged).
 *   <li><b>Timeout</b>: a gap {@code >= timeout} or a new local date closes the session at its last
 *       event. <b>Event</b>: the start event opens (again while open: counted, nothing new), the end
 *       event closes (and is counted); without an open session it does nothing (doc example 2, not
 *       example 1); at local midnight an open session is cut: Session Start only, no duration.
 *       <b>Property</b>: a run of equal JSON values ({@code "123"} is not {@code 123}, {@code ""} is
 *       a value) of the property; events without it are ignored; midnight splits.
 *   <li><b>Midnight</b> is the start of the next local date in {@code timezone} by the zone rules.
 *   <li><b>Output</b>: Start at the first event's time, End at the last's, both with duration
 *       (seconds, fractional when not whole), event count, start/end event names, distinct_id = the
 *       key, {@code $user_id} when the key is a user, the session's first {@code $device_id}, and the
 *       associated properties (timeout mode: first event defining each; otherwise the first event).
 *       {@code $insert_id} = UUIDv5(namespace, key + ":" + startMillis + ":" + eventName + ":" +
 *       a hash of the starting event), see {@code SessionRecords}.
 * </ul>
 *
 * <h2>Live stream</h2>
 * Watermark = highest event time seen minus {@code allowedLateness}, or the highest event time once
 * no event arrived for {@code allowedLateness} of wall-clock time. Events wait until the watermark
 * passes them and are then placed in time order, so the core only ever sees a user's events sorted.
 * An event older than the watermark is late: counted, not sessionized (the pipeline still delivers
 * it). A session is emitted when the watermark passes its last event + timeout or its local
 * midnight, or when the user sent nothing for {@code timeout + allowedLateness} of wall-clock time
 * (event and property mode: and its local day has ended). Decisions made on event time are
 * repeated exactly by a replay; the wall-clock ones can differ only for events that arrived more
 * than {@code allowedLateness} of wall time after newer ones.
 *
 * <h2>Memory</h2>
 * One {@code UserState} per open session (primitives, interned names and values), held in a
 * Caffeine cache bounded by {@code maxUsersInMemory}; evicted users are kept serialized. Closed
 * sessions leave no state. Device links are kept for the life of the state.
 */
package dev.mixrelay.session;

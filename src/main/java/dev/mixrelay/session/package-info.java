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
 * <h2>Live stream: each user's own timeline</h2>
 * Time is judged per timeline: a user key with the device keys linked to it (a link to a user this
 * sessionizer owns joins the device's timeline to the user's at arrival), never across users.
 * <ul>
 *   <li><b>Hold-back</b>: an event waits until its timeline's newest event time minus
 *       {@code allowedLateness} passes it, then is placed in time order, so the core only ever sees
 *       a user's events sorted.
 *   <li><b>Late</b>: older than the timeline's floor = max(newest - allowedLateness, the newest
 *       placed event, the end + timeout (or midnight) of a session already emitted): counted, not
 *       sessionized (the pipeline still delivers it). The floors of timelines with nothing open are
 *       kept, the least recent dropped beyond four per {@code maxUsersInMemory}.
 *   <li><b>Close</b>: (1) the timeline's own bound passes the session's last event + timeout or
 *       its local midnight (exact; an end event or a new session id closes at once); (2) the user
 *       sent nothing for {@code timeout + allowedLateness} of wall-clock time (event and property
 *       mode: and its local day has ended), and after {@code allowedLateness} of quiet its held
 *       events are placed; (3) the user sent nothing for {@code backfillGrace} of wall-clock time
 *       and the destination's watermark (its newest event time minus allowedLateness, or the
 *       stream time {@link dev.mixrelay.session.Sessionizer#onStreamTime} gives) passes it: held
 *       events up to it are placed and its sessions closed. Rules 2 and 3 run in {@code onTick}.
 *   <li><b>End of input</b> ({@code onInputEnd(time)}, an import's end): every held event is
 *       placed, and rule 3 is applied as if the grace had passed and the destination's time were
 *       {@code time}; the watermark itself is not moved.
 *   <li>{@code maxHeldEvents} bounds the held events: past it the timeline being fed places its
 *       oldest.
 * </ul>
 * Decisions made on event time are repeated exactly by a replay; the wall-clock ones can differ
 * only for a user whose events arrived more than {@code backfillGrace} of wall time apart.
 *
 * <h2>Split over tasks</h2>
 * A cluster runs one sessionizer per task, each owning the session keys its {@code ownsKey}
 * accepts. The router sends a record to the owner of its key as the router resolves it
 * ({@code $user_id}, else the user it linked the device to, else {@code $device:<id>}, else
 * distinct_id) and, when the record links a device to a user other than the one it knows for the
 * device (so at least the first link), a link-only {@code $identify} copy with its own
 * {@code $insert_id} to the owner of {@code $device:<id>} (original mode: the identify itself, to
 * the owner of the anonymous id).
 * <ul>
 *   <li><b>Device's task</b>: places the copy at the link's time like any link; the device's
 *       session is taken out as a re-key takes it (closed there if already over) and a
 *       {@code Handoff(user, device key, time, state or null)} waits in {@code takeHandoffs}. A
 *       link to a user other than the device's first gets a null handoff: that user's task cannot
 *       tell the link is not new.
 *   <li><b>User's task</b>: placing the link, it applies the handoff if it is already there; if the
 *       user has a live session nothing is awaited (the handoff is closed as it is,
 *       REKEY_COLLISION, as one sessionizer closes the device's session); otherwise the user's
 *       events from the link on are parked until {@code adopt} brings the handoff, which
 *       continues the device's session as the user's exactly as a re-key, then places them. After
 *       {@code carryWaitMillis} of wall clock they are placed without it ({@code handoffMissed});
 *       a handoff coming later, or one no placed link asks for once the watermark passed its
 *       time, is closed as it is.
 *   <li><b>State</b>: parked events, received and untaken handoffs and the ids of the handoffs
 *       applied (the last {@code max(10000, maxUsersInMemory)}) are in the snapshot, so handoffs
 *       re-read after a restore are ignored. Commit the handoff input's position with the state.
 *       The timelines (newest time, floor, last wall time, joined device keys), the retired floors
 *       and each placed key's timeline are stored too (snapshot version 4, entries {@code t/},
 *       {@code w/}); a state from before restores with its destination-wide watermark as the
 *       floor of the users it knew.
 * </ul>
 * The sessions equal one sessionizer's when every record's routed key is the key one sessionizer
 * places it under, or a device's records arrive out of order around its link within
 * allowedLateness: the device's events that reach the user's task after the link but are timed
 * before it make a session there (the device is on the user's timeline until its link is placed),
 * joined with the session the device's task hands off (timeout and property mode); a handoff made
 * at another of the pair's link events than the one the user's task placed is applied as that
 * one. A second user linking a device before its first link is placed shares the first user's
 * timeline, so the links are placed in time order. Limits: in event mode, such an anonymous event
 * is not counted in a session the device's task has open; an anonymous event routed to one side
 * of a link but timed on the other is otherwise not sessionized ({@code eventNotOwned}); a retry of an anonymous event that straddles
 * the link reaches two tasks and is counted twice; a link dropped from the bounded link memory
 * makes the user's task wait {@code carryWaitMillis} for a handoff that never comes; in original
 * mode only the bare anonymous id's session travels; a session started by an event without
 * {@code $insert_id} gets other {@code $insert_id}s (its tie-break is the task's arrival order);
 * lateness is judged per user in every task, so tasks that lag each other make no event late; a
 * device's link copy waits on the device's timeline (its later records go to the user's task)
 * until rule 2 or 3 places it; parked events are bounded by {@code carryWaitMillis}, not
 * {@code maxHeldEvents}.
 *
 * <h2>Memory</h2>
 * One {@code UserState} per open session (primitives, interned names and values), held in a
 * map in settle order bounded by {@code maxUsersInMemory} ({@code UserStore}); the least recently
 * settled are kept serialized. Closed sessions leave no state. Device links are kept, the least
 * recently used dropped beyond four per {@code maxUsersInMemory}. A held event keeps its 128-bit
 * {@code DedupKey} as two longs (the held keys are a {@code KeySet}), a recently placed one as
 * 22 characters, not the full key of about 100; a snapshot is a copy of the state taken at once
 * ({@code Sessionizer.snapshotCopy}) and written later, on any thread, in 256 KiB parts.
 */
package dev.mixrelay.session;

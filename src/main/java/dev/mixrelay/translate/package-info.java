/**
 * Pure translation of Segment messages into Mixpanel records. No I/O, no clock, no randomness.
 * The mapping table lives in the README's "What lands in Mixpanel"; the decisions behind it in
 * DESIGN.md "Product decisions".
 *
 * <h2>Design</h2>
 *
 * <p>{@link dev.mixrelay.translate.Translator#translate} is the only entry point. It answers a
 * closed set ({@link dev.mixrelay.translate.Translation}): {@code Translated} (records, the super
 * properties to remember, records Mixpanel could never accept, the number of cut values),
 * {@code Skipped} (a bounded set of reasons, fit for metric labels) or {@code Invalid} (field and
 * reason, for dead letters). The steps, each in its own small class:
 *
 * <ol>
 *   <li>{@code Integrations}: the message's {@code integrations} object may turn Mixpanel off.
 *   <li>{@code Call} and {@code Ids}: the facts every part reads: distinct_id per identity-merge
 *       mode, the time, {@code $ip}, and the envelopes of the three record kinds.
 *   <li>One translator per call type: {@code Events} (track, page and screen, naming by
 *       {@code PageNames}, properties by {@code EventProperties} and {@code ContextProperties},
 *       then {@code PeopleOperations}: charges and increments), {@code Identify} (with
 *       {@code SpecialTraits}), {@code Groups}, {@code IdentityEvents} ({@code $identify},
 *       {@code $create_alias}).
 *   <li>{@code Limits}: Mixpanel's 255-character, 255-property and 1 MiB limits.
 * </ol>
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>Deterministic: the output depends only on the message, the destination and the
 *       {@link dev.mixrelay.translate.ProfileView}. Replaying the log therefore re-creates every
 *       record with the same {@code $insert_id} ({@code InsertIds}: UUIDv5 of
 *       {@code messageId:projectKey:eventName}), which is how retries and crash recovery stay
 *       duplicate-free in Mixpanel. Super properties are the one input that is state: replay
 *       must apply each {@link dev.mixrelay.translate.ProfileUpdate} in log order.
 *   <li>The message is never changed. Records are new objects at the top level (the event's
 *       {@code properties}, the profile operation's object), but nested values and scalars are
 *       shared with the message and the remembered super properties rather than copied: the
 *       message is immutable after normalisation and a record's body after it is made, so
 *       sharing is safe and saves a deep copy per event. Whoever needs to change a record's
 *       nested value must copy it first.
 *   <li>The relay owns {@code time}, {@code distinct_id}, {@code $insert_id},
 *       {@code $device_id}, {@code $user_id} and {@code token} on events; message properties and
 *       super properties never set them.
 *   <li>User agents are parsed once per distinct string ({@code UserAgents}: uap-java behind a
 *       bounded Caffeine cache); this is the only shared state, and it cannot change a result.
 * </ul>
 */
package dev.mixrelay.translate;

package dev.mixrelay.session;

/**
 * A read-only view of one user's open session, copied out of the sessionizer's state.
 *
 * @param key the user key the session is kept under ({@code $user_id}, a linked user,
 *     {@code $device:}+device id, or a bare distinct_id); the session events' distinct_id
 * @param user whether the key is a user (not a device or bare distinct_id)
 * @param deviceId the session's {@code $device_id}, or null
 * @param startMillis the time of its first event (epoch ms, event time)
 * @param lastEventMillis the time of its newest event (epoch ms, event time)
 * @param eventCount the events counted so far
 * @param startEventName the name of its first event
 * @param lastEventName the name of its newest event
 * @param sessionIdValue property mode: the session id property's value as JSON; otherwise null
 * @param startInsertId the {@code $insert_id} its Session Start event will carry
 */
public record OpenSession(String key, boolean user, String deviceId, long startMillis,
    long lastEventMillis, int eventCount, String startEventName, String lastEventName,
    String sessionIdValue, String startInsertId) {}

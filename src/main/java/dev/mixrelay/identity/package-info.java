/**
 * What the relay remembers about users between messages: server-side super properties
 * ({@link dev.mixrelay.identity.SuperPropertyStore}, used by translation) and the links between a
 * user's ids it has seen ({@link dev.mixrelay.identity.IdentityLinks}, shown by the admin API).
 * In-process and bounded. May use {@code segment} and {@code config} only.
 */
package dev.mixrelay.identity;

/**
 * What the relay remembers about users between messages: server-side super properties (and,
 * later, device-to-user links). In-process and bounded now; persisted with the session state
 * once sessions land. May use {@code segment} and {@code config} only.
 */
package dev.mixrelay.identity;

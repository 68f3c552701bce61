/**
 * Typed, immutable settings: YAML plus {@code MIXRELAY_*} environment overrides, validated with
 * one line per problem naming the key. Key names are a public contract (README "Configuration").
 */
package dev.mixrelay.config;

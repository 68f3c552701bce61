/**
 * Pure translation of Segment messages into Mixpanel records. No I/O, no clock, no randomness.
 * The mapping table lives in the README's "What lands in Mixpanel" and DESIGN.md.
 */
package dev.mixrelay.translate;

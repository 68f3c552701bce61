/**
 * The Segment message model: parsing limits, validation and normalisation (batch context merge,
 * generated message ids, clock-skew correction). Depends on nothing else of mixrelay.
 */
package dev.mixrelay.segment;

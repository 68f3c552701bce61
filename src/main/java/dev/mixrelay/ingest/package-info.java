/**
 * The HTTP front door: Segment's Tracking API and the webhook intake, with authentication, limits,
 * gzip, signature checks and JSON error bodies. Accepted messages go to the intake log.
 */
package dev.mixrelay.ingest;

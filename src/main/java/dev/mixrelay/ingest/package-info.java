/**
 * The HTTP front door: Segment's Tracking API and the webhook intake, with authentication, limits,
 * gzip, signature checks and JSON error bodies. Accepted messages go to the intake log. What makes
 * one message acceptable (normalisation, the size limit, the wording of a refusal) is
 * {@code MessageAdmission}, which the import command uses too, so a backfill and live traffic are
 * judged alike.
 */
package dev.mixrelay.ingest;

package dev.mixrelay.mock;

import java.util.Map;

/**
 * What a {@link MockMixpanel} has counted since start or the last reset.
 *
 * @param events valid event records accepted by /import and /track, duplicates included (what
 *     Mixpanel reports as {@code num_records_imported})
 * @param uniqueEvents events left after de-duplication on (event, distinct_id, time, $insert_id)
 * @param duplicates events that repeated an earlier one's key
 * @param distinctInsertIds distinct {@code $insert_id} values seen
 * @param engageOps accepted /engage updates
 * @param groupOps accepted /groups updates
 * @param rejected records refused by validation (all endpoints)
 * @param sessionStarts unique "Session Start" events
 * @param sessionEnds unique "Session End" events
 * @param notRetained unique events counted but whose body was not kept (past the byte budget)
 * @param requests ingestion requests answered (or reset)
 * @param requestsByStatus those requests by status code ("200", "400", "429", ...; "reset")
 * @param eventInsertIdDigest the {@link InsertIdDigest} of the distinct {@code $insert_id}s of
 *     events other than "Session Start" / "Session End"
 * @param sessionInsertIdDigest the {@link InsertIdDigest} of the distinct {@code $insert_id}s of
 *     "Session Start" / "Session End" events
 */
public record MockCounts(
    long events,
    long uniqueEvents,
    long duplicates,
    long distinctInsertIds,
    long engageOps,
    long groupOps,
    long rejected,
    long sessionStarts,
    long sessionEnds,
    long notRetained,
    long requests,
    Map<String, Long> requestsByStatus,
    String eventInsertIdDigest,
    String sessionInsertIdDigest) {

  public MockCounts {
    requestsByStatus = Map.copyOf(requestsByStatus);
  }

  /** Requests answered with this status (or "reset"). */
  public long requestsWithStatus(String status) {
    return requestsByStatus.getOrDefault(status, 0L);
  }
}

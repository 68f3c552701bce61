/**
 * The message stage: the per-message work both engines run, written once. For one message of the
 * intake log and its destination: parse, translate with the user's super properties, remember the
 * profile update and the ids' links, feed the records to the destination's sessionizer, and say
 * what goes out — the records to deliver, the records Mixpanel could never accept (dead letters),
 * or why the message is skipped or refused. Entry type {@link dev.mixrelay.stage.MessageStage},
 * outcome {@link dev.mixrelay.stage.Outcome}, telemetry {@link dev.mixrelay.stage.StageListener},
 * the debugger's view {@link dev.mixrelay.stage.StageTap}.
 *
 * <p>The engines differ only around it: how messages arrive (the embedded log reader, a Kafka
 * task's records), how its state is kept (checkpoints in the log, Kafka state stores) and how
 * progress is committed (the log's acknowledged offset, Kafka offsets). No I/O and no clock here:
 * the wall-clock time is passed in, and each instance is confined to one thread.
 */
package dev.mixrelay.stage;

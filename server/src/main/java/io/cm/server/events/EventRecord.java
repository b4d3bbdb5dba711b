package io.cm.server.events;

/**
 * One event as the log keeps it: its offset in its partition, its timestamp (epoch ms, for time
 * retention), its tenant (so that a stream filters without decoding) and its JSON encoding (SPEC §5).
 * The array is built once by the log and never modified; readers only copy it out.
 */
public record EventRecord(long offset, long timestamp, String tenant, byte[] json) {
}

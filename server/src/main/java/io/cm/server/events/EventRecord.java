package io.cm.server.events;

import io.cm.core.event.SessionEventType;

/**
 * One event as the log keeps it: its offset in its partition, its timestamp (epoch ms, for time
 * retention), its type and tenant (so that a stream filters without decoding) and its JSON encoding
 * (SPEC §5). The array is built once by the log and never modified; readers only copy it out.
 */
public record EventRecord(long offset, long timestamp, SessionEventType type, String tenant, byte[] json) {
}

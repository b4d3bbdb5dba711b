package io.cm.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Map;

/** What every event of SPEC §5 carries, read once by {@link LiveRecords} and shared by the event classes. */
record EventFields(String type, JsonNode raw, String hitId, Instant timestamp, String tenant, String applicationId,
                   String applicationName, String idp, String subject, Map<String, String> metadata) {
}

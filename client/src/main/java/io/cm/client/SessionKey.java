package io.cm.client;

/** What addresses one session on the service: its subscriber and its id. */
record SessionKey(String idp, String subject, String sessionId) {
}

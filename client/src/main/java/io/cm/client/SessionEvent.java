package io.cm.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One record of the live stream (SPEC §5): a session event of a known type, as its own class, or an
 * {@link Unknown} record kept as it came. A consumer on Java 21 switches over the sealed cases without a
 * {@code default}; on 17, {@code instanceof} does the same.
 *
 * <pre>{@code
 * switch (event) {
 *     case SessionEvent.Denied denied -> report(denied.subject(), denied.violations());
 *     case SessionEvent.OfSession session -> count(session.type(), session.sessionId());
 *     case SessionEvent.Unknown unknown -> log(unknown.raw());
 * }
 * }</pre>
 *
 * <p>Every record keeps the JSON it was read from, {@link #raw()}: fields this client does not read
 * (added to the service later) are there.
 */
public sealed interface SessionEvent permits SessionEvent.Known, SessionEvent.Unknown {

    /**
     * The record's type as the service wrote it, e.g. {@code session.started}.
     *
     * @return the {@code type} field; empty if the record had none
     */
    String type();

    /**
     * The record as it came, a JSON object. It is this event's own: do not change it.
     *
     * @return the JSON of the record
     */
    JsonNode raw();

    /**
     * An event of one of the types of SPEC §5, with what every such event carries: who (tenant,
     * application, subscriber), when, and the session's metadata.
     */
    abstract sealed class Known implements SessionEvent permits Denied, OfSession {

        private final EventFields fields;

        Known(EventFields fields) {
            this.fields = fields;
        }

        @Override
        public String type() {
            return fields.type();
        }

        @Override
        public JsonNode raw() {
            return fields.raw();
        }

        /**
         * The event's unique id: a record repeated by at-least-once delivery has the same.
         *
         * @return the {@code hit_id}
         */
        public String hitId() {
            return fields.hitId();
        }

        /**
         * When it happened, by the service's clock.
         *
         * @return the {@code timestamp}
         */
        public Instant timestamp() {
            return fields.timestamp();
        }

        /**
         * The tenant of the application.
         *
         * @return the tenant's id
         */
        public String tenant() {
            return fields.tenant();
        }

        /**
         * The application that started the session, or tried to.
         *
         * @return the application's id
         */
        public String applicationId() {
            return fields.applicationId();
        }

        /**
         * That application's display name.
         *
         * @return the name
         */
        public String applicationName() {
            return fields.applicationName();
        }

        /**
         * The subscriber's identity provider; with {@link #subject()}, the visitor key.
         *
         * @return the idp
         */
        public String idp() {
            return fields.idp();
        }

        /**
         * The subscriber's account.
         *
         * @return the subject
         */
        public String subject() {
            return fields.subject();
        }

        /**
         * The session's metadata (for a denied start, the metadata it asked with).
         *
         * @return the metadata, unmodifiable
         */
        public Map<String, String> metadata() {
            return fields.metadata();
        }

        @Override
        public String toString() {
            return raw().toString();
        }
    }

    /** An event of a session the service created: every type but {@link Denied}. */
    abstract sealed class OfSession extends Known permits Started, Heartbeat, Stopped, Expired, Killed, Dismissed {

        private final String sessionId;
        private final String terminationCode;

        OfSession(EventFields fields, String sessionId, String terminationCode) {
            super(fields);
            this.sessionId = sessionId;
            this.terminationCode = terminationCode;
        }

        /**
         * The session's id.
         *
         * @return the {@code sessionId}
         */
        public String sessionId() {
            return sessionId;
        }

        /**
         * The code that ends the session ({@code X-Terminate}).
         *
         * @return the {@code terminationCode}
         */
        public String terminationCode() {
            return terminationCode;
        }
    }

    /** {@code session.started}: a start was permitted. */
    final class Started extends OfSession {
        Started(EventFields fields, String sessionId, String terminationCode) {
            super(fields, sessionId, terminationCode);
        }
    }

    /** {@code session.heartbeat}: a heartbeat (or a metadata update) renewed the session. */
    final class Heartbeat extends OfSession {
        Heartbeat(EventFields fields, String sessionId, String terminationCode) {
            super(fields, sessionId, terminationCode);
        }
    }

    /** {@code session.stopped}: the app stopped the session. */
    final class Stopped extends OfSession {
        Stopped(EventFields fields, String sessionId, String terminationCode) {
            super(fields, sessionId, terminationCode);
        }
    }

    /** {@code session.expired}: no heartbeat came within the lease and its grace. */
    final class Expired extends OfSession {
        Expired(EventFields fields, String sessionId, String terminationCode) {
            super(fields, sessionId, terminationCode);
        }
    }

    /** {@code session.killed}: another start named this session's termination code ({@code X-Terminate}). */
    final class Killed extends OfSession {

        private final String terminatedBy;

        Killed(EventFields fields, String sessionId, String terminationCode, String terminatedBy) {
            super(fields, sessionId, terminationCode);
            this.terminatedBy = terminatedBy;
        }

        /**
         * The session started in this one's place.
         *
         * @return its id ({@code terminatedBy})
         */
        public String terminatedBy() {
            return terminatedBy;
        }
    }

    /** {@code session.dismissed}: a newer session took this one's place under a FIFO (latest-wins) policy. */
    final class Dismissed extends OfSession {

        private final List<RuleViolation> violations;

        Dismissed(EventFields fields, String sessionId, String terminationCode, List<RuleViolation> violations) {
            super(fields, sessionId, terminationCode);
            this.violations = List.copyOf(violations);
        }

        /**
         * The rules that made room, with {@link RuleViolation#dismissedBy()} naming the newer session.
         *
         * @return the violations of the event's {@code evaluationResult}; empty if it carried none (a
         *         dismissal found at a heartbeat)
         */
        public List<RuleViolation> violations() {
            return violations;
        }
    }

    /** {@code session.denied}: a start was refused (409); no session was created. */
    final class Denied extends Known {

        private final List<RuleViolation> violations;

        Denied(EventFields fields, List<RuleViolation> violations) {
            super(fields);
            this.violations = List.copyOf(violations);
        }

        /**
         * The broken rules, as in the 409's body (SPEC §3).
         *
         * @return the violations of the event's {@code evaluationResult}
         */
        public List<RuleViolation> violations() {
            return violations;
        }
    }

    /**
     * A record this client cannot type: one of a type it does not know (e.g. {@code stream.behind-retention},
     * or a type the service adds later), or of a known type without a field that type needs. Delivered
     * all the same, never dropped, never an exception.
     */
    final class Unknown implements SessionEvent {

        private final String type;
        private final JsonNode raw;

        Unknown(String type, JsonNode raw) {
            this.type = type;
            this.raw = raw;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public JsonNode raw() {
            return raw;
        }

        @Override
        public String toString() {
            return raw.toString();
        }
    }
}

package io.cm.server.store.embedded;

import io.cm.core.evaluation.Advice;
import io.cm.core.evaluation.Conflict;
import io.cm.core.session.EndReason;
import io.cm.core.session.EndedSession;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A subject and its whole state as a journal record's payload, in a compact binary form (about
 * 150 bytes for a subject with one session and four metadata keys). Each record carries the full
 * state, never a difference, so replaying a record twice or out of order across subjects is harmless:
 * only the last record of each subject counts. Times are stored as differences (last heartbeat
 * from start, expiry from last heartbeat), which are short.
 *
 * <p>Format version 1; a change of layout needs a new {@link JournalFile#VERSION}.
 */
final class SubjectStateCodec {

    /** The stored codes of the end reasons, by position; never reordered, only appended to. */
    private static final List<EndReason> REASONS =
            List.of(EndReason.STOPPED, EndReason.EXPIRED, EndReason.KILLED, EndReason.DISMISSED);
    private static final int RULE_VIOLATION = 0;
    private static final int REMOTE_TERMINATION = 1;

    private SubjectStateCodec() {
    }

    /** A decoded record: the subject, and its state from then on (empty: the subject has nothing left). */
    record SubjectState(SubjectKey subject, SubjectSessions state) {
    }

    static void encode(SubjectKey subject, SubjectSessions state, RecordBuffer out) {
        out.writeString(subject.idp());
        out.writeString(subject.subject());
        out.writeLong(state.policyVersion());
        out.writeVarInt(state.active().size());
        for (Session session : state.active()) {
            out.writeString(session.id());
            out.writeString(session.terminationCode());
            out.writeString(session.applicationId());
            out.writeSignedVarLong(session.startTime());
            out.writeSignedVarLong(session.lastHeartbeat() - session.startTime());
            out.writeSignedVarLong(session.expiresAt() - session.lastHeartbeat());
            writeMap(session.metadata(), out);
        }
        out.writeVarInt(state.ended().size());
        for (EndedSession ended : state.ended()) {
            out.writeString(ended.id());
            out.writeByte(REASONS.indexOf(ended.reason()));
            writeAdvice(ended.advice(), out);
            out.writeSignedVarLong(ended.forgetAt());
        }
    }

    /** @throws IllegalArgumentException if the payload is not a record of this format */
    static SubjectState decode(RecordReader in) {
        SubjectKey subject = new SubjectKey(in.readSharedString(), in.readString());
        long policyVersion = in.readLong();
        Session[] active = new Session[in.readCount()];
        for (int i = 0; i < active.length; i++) {
            String id = in.readString();
            String code = in.readString();
            String application = in.readSharedString();
            long start = in.readSignedVarLong();
            long lastHeartbeat = start + in.readSignedVarLong();
            long expiresAt = lastHeartbeat + in.readSignedVarLong();
            active[i] = new Session(id, code, application, start, lastHeartbeat, expiresAt, readMap(in));
        }
        EndedSession[] ended = new EndedSession[in.readCount()];
        for (int i = 0; i < ended.length; i++) {
            String id = in.readString();
            int reason = in.readByte();
            if (reason >= REASONS.size()) throw new IllegalArgumentException("unknown end reason " + reason);
            ended[i] = new EndedSession(id, REASONS.get(reason), readAdvice(in), in.readSignedVarLong());
        }
        if (!in.atEnd()) throw new IllegalArgumentException("bytes left after the subject's state");
        return new SubjectState(subject, new SubjectSessions(List.of(active), List.of(ended), policyVersion));
    }

    private static void writeAdvice(Advice advice, RecordBuffer out) {
        switch (advice) {
            case Advice.RuleViolation violation -> {
                out.writeByte(RULE_VIOLATION);
                out.writeString(violation.policy());
                out.writeString(violation.rule());
                out.writeString(violation.message());
                out.writeSignedVarLong(violation.threshold());
                out.writeSignedVarLong(violation.current());
                writeOptional(violation.attribute(), out);
                writeOptional(violation.value(), out);
                out.writeVarInt(violation.conflicts().size());
                for (Conflict conflict : violation.conflicts()) {
                    out.writeString(conflict.sessionId());
                    out.writeString(conflict.terminationCode());
                    out.writeString(conflict.applicationId());
                    out.writeString(conflict.applicationName());
                    out.writeSignedVarLong(conflict.startTime());
                    writeMap(conflict.metadata(), out);
                }
                writeOptional(violation.dismissedBy(), out);
            }
            case Advice.RemoteTermination termination -> {
                out.writeByte(REMOTE_TERMINATION);
                out.writeString(termination.terminatedBy());
                out.writeString(termination.reason());
                out.writeString(termination.terminator().applicationName());
                writeOptional(termination.terminator().deviceName(), out);
                writeOptional(termination.terminator().channel(), out);
                out.writeSignedVarLong(termination.terminator().startTime());
            }
        }
    }

    private static Advice readAdvice(RecordReader in) {
        int kind = in.readByte();
        return switch (kind) {
            case RULE_VIOLATION -> {
                String policy = in.readSharedString();
                String rule = in.readSharedString();
                String message = in.readSharedString();
                int threshold = Math.toIntExact(in.readSignedVarLong());
                int current = Math.toIntExact(in.readSignedVarLong());
                Optional<String> attribute = readOptional(in);
                Optional<String> value = readOptional(in);
                Conflict[] conflicts = new Conflict[in.readCount()];
                for (int i = 0; i < conflicts.length; i++) {
                    conflicts[i] = new Conflict(in.readString(), in.readString(), in.readSharedString(),
                            in.readSharedString(), in.readSignedVarLong(), readMap(in));
                }
                yield new Advice.RuleViolation(policy, rule, message, threshold, current, attribute, value,
                        List.of(conflicts), readOptional(in));
            }
            case REMOTE_TERMINATION -> {
                String terminatedBy = in.readString();
                String reason = in.readSharedString();
                Advice.Terminator terminator = new Advice.Terminator(in.readSharedString(), readOptional(in),
                        readOptional(in), in.readSignedVarLong());
                yield new Advice.RemoteTermination(terminatedBy, reason, terminator);
            }
            default -> throw new IllegalArgumentException("unknown advice kind " + kind);
        };
    }

    private static void writeMap(Map<String, String> map, RecordBuffer out) {
        out.writeVarInt(map.size());
        for (Map.Entry<String, String> entry : map.entrySet()) {
            out.writeString(entry.getKey());
            out.writeString(entry.getValue());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> readMap(RecordReader in) {
        Map.Entry<String, String>[] entries = new Map.Entry[in.readCount()];
        for (int i = 0; i < entries.length; i++) entries[i] = Map.entry(in.readSharedString(), in.readSharedString());
        return Map.ofEntries(entries);
    }

    private static void writeOptional(Optional<String> value, RecordBuffer out) {
        out.writeByte(value.isPresent() ? 1 : 0);
        value.ifPresent(out::writeString);
    }

    private static Optional<String> readOptional(RecordReader in) {
        return in.readByte() == 1 ? Optional.of(in.readSharedString()) : Optional.empty();
    }
}

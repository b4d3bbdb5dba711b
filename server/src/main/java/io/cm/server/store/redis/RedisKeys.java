package io.cm.server.store.redis;

import io.cm.core.session.SubjectKey;
import io.cm.server.store.SubjectKeys;

/**
 * Key names. Every key of one (idp, subject) carries the same hash tag {@code {<len>:<idp><subject>}},
 * so that on Redis Cluster they all live in one slot. The due index is split into a few shards,
 * each its own hash tag, so that expiry work spreads over the cluster's nodes.
 */
final class RedisKeys {

    static final int DUE_SHARDS = 16;

    private RedisKeys() {
    }

    /** The hash holding the subject's version, state and scheduled deadline. */
    static String subject(SubjectKey subject) {
        return "cm:{" + SubjectKeys.format(subject) + "}";
    }

    /** A request budget of the subject (its inits, or one of its sessions). */
    static String budget(SubjectKey subject, String budget) {
        return subject(subject) + ":throttle:" + budget;
    }

    /** How a subject is named inside the due index. */
    static String dueMember(SubjectKey subject) {
        return SubjectKeys.format(subject);
    }

    static SubjectKey fromDueMember(String member) {
        return SubjectKeys.parse(member);
    }

    /** The due-index shard of a member: {@link String#hashCode()} is specified, so every node agrees. */
    static String dueShard(String member) {
        return dueShard(Math.floorMod(member.hashCode(), DUE_SHARDS));
    }

    static String dueShard(int shard) {
        return "cm:due:{" + shard + "}";
    }
}

package io.cm.server.store.redis;

import io.cm.core.session.SubjectKey;
import io.cm.server.store.SubjectKeys;

/**
 * Key names. A subject is one hash (its sessions, times and request budgets are fields of it, see
 * {@link SubjectHashes}), named with the hash tag {@code {<len>:<idp><subject>}} so that on Redis
 * Cluster whatever else of the subject is ever added lands in the same slot. The due index is split
 * into a few shards, each its own hash tag, so that expiry work spreads over the cluster's nodes.
 */
final class RedisKeys {

    static final int DUE_SHARDS = 16;

    private RedisKeys() {
    }

    /** The hash of the subject. */
    static String subject(SubjectKey subject) {
        return "cm:{" + SubjectKeys.format(subject) + "}";
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

package io.cm.server.store.redis;

import io.cm.core.session.SubjectKey;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * When subjects have something due: sorted sets (score = epoch ms, member = subject), split into
 * {@link RedisKeys#DUE_SHARDS} shards. A subject is in it at most once, at the earliest time
 * scheduled ({@code ZADD LT}); taking due members removes them in the same script, so with several
 * nodes each due subject is handed to exactly one. Nothing here scans keys.
 */
final class DueIndex {

    private static final LuaScript TAKE_DUE = new LuaScript("""
            -- KEYS[1]: one shard. ARGV: now, most members to take. The members due at or before now,
            -- lowest scores first, are the lowest ranks: they are returned and removed together.
            local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
            if #due > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #due - 1) end
            return due
            """);

    private final RedisClusterAsyncCommands<String, byte[]> redis;

    DueIndex(RedisClusterAsyncCommands<String, byte[]> redis) {
        this.redis = redis;
    }

    /** Schedules {@code subject} at {@code at}, unless it is scheduled earlier already. */
    CompletionStage<Long> schedule(SubjectKey subject, long at) {
        String member = RedisKeys.dueMember(subject);
        return redis.zadd(RedisKeys.dueShard(member), ZAddArgs.Builder.lt(), (double) at,
                member.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Removes and returns at most {@code max} subjects due at or before {@code now}: up to
     * {@code max / shards} from each shard, all shards at once (one round trip when pipelined).
     */
    CompletionStage<List<SubjectKey>> take(long now, int max) {
        if (max < RedisKeys.DUE_SHARDS) {
            throw new IllegalArgumentException("take at least one subject per shard: " + RedisKeys.DUE_SHARDS);
        }
        byte[] until = SubjectHashes.text(Long.toString(now));
        byte[] perShard = SubjectHashes.text(Integer.toString(max / RedisKeys.DUE_SHARDS));
        List<CompletableFuture<List<Object>>> takes = new ArrayList<>(RedisKeys.DUE_SHARDS);
        for (int shard = 0; shard < RedisKeys.DUE_SHARDS; shard++) {
            CompletionStage<List<Object>> take = TAKE_DUE.run(redis, ScriptOutputType.MULTI,
                    new String[]{RedisKeys.dueShard(shard)}, until, perShard);
            takes.add(take.toCompletableFuture());
        }
        return CompletableFuture.allOf(takes.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<SubjectKey> due = new ArrayList<>();
            for (CompletableFuture<List<Object>> take : takes) {
                for (Object member : take.join()) {
                    due.add(RedisKeys.fromDueMember(new String((byte[]) member, StandardCharsets.UTF_8)));
                }
            }
            return due;
        });
    }
}

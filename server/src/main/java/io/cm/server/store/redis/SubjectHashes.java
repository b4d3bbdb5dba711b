package io.cm.server.store.redis;

import io.cm.core.session.SubjectKey;
import io.cm.server.store.SubjectSessionsCodec;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The hash of one subject, {@code {v: version, s: state (JSON), d: scheduled deadline}}, and the one
 * script that changes it: a compare-and-set on the version. The decision itself is made in Java;
 * the script only checks that it was made on the current state.
 *
 * <p>Methods send and return the raw fields; {@link #decode} turns them into a {@link Snapshot} on
 * the caller's thread, so that no JSON is parsed on Lettuce's I/O threads.
 */
final class SubjectHashes {

    private static final LuaScript COMPARE_AND_SET = new LuaScript("""
            -- KEYS[1]: a subject's hash. ARGV[1]: the version the caller decided on ('' = no hash).
            -- Only ARGV[1]: a check. Else ARGV[2..5]: new version, state ('' = delete the hash),
            -- scheduled deadline ('' = none), time to live in ms.
            -- Returns {} if the version matched (and the write was made), else the current {v, s, d}.
            local current = redis.call('HGET', KEYS[1], 'v') or ''
            if current ~= ARGV[1] then
              return redis.call('HMGET', KEYS[1], 'v', 's', 'd')
            end
            if #ARGV > 1 then
              if ARGV[3] == '' then
                redis.call('DEL', KEYS[1])
              else
                redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3], 'd', ARGV[4])
                redis.call('PEXPIRE', KEYS[1], ARGV[5])
              end
            end
            return {}
            """);
    private static final byte[] NONE = new byte[0];

    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final SubjectSessionsCodec codec = new SubjectSessionsCodec();

    SubjectHashes(RedisClusterAsyncCommands<String, byte[]> redis) {
        this.redis = redis;
    }

    /** The fields {@code v, s, d} (each may be null). */
    CompletionStage<List<byte[]>> read(SubjectKey subject) {
        return redis.hmget(RedisKeys.subject(subject), "v", "s", "d")
                .thenApply(fields -> fields.stream().map(field -> field.getValueOrElse(null)).toList());
    }

    /**
     * If the stored version is {@code expected}, writes {@code next} (if present) and answers an empty
     * list; else answers the current fields and writes nothing.
     */
    CompletionStage<List<byte[]>> compareAndSet(SubjectKey subject, String expected, Optional<Snapshot> next,
                                                long ttlMillis) {
        byte[][] args = next.map(n -> new byte[][]{
                text(expected),
                text(n.version()),
                n.state().isEmpty() ? NONE : codec.encode(n.state()),
                n.scheduled() == Snapshot.NOT_SCHEDULED ? NONE : text(Long.toString(n.scheduled())),
                text(Long.toString(ttlMillis))}).orElseGet(() -> new byte[][]{text(expected)});
        CompletionStage<List<Object>> reply = COMPARE_AND_SET.run(redis, ScriptOutputType.MULTI,
                new String[]{RedisKeys.subject(subject)}, args);
        return reply.thenApply(fields -> fields.stream().map(field -> (byte[]) field).toList());
    }

    /** The snapshot that fields {@code v, s, d} describe. */
    Snapshot decode(List<byte[]> fields) {
        byte[] version = fields.get(0);
        if (version == null) return Snapshot.ABSENT;
        byte[] scheduled = fields.get(2);
        return new Snapshot(new String(version, StandardCharsets.UTF_8), codec.decode(fields.get(1)),
                scheduled == null || scheduled.length == 0 ? Snapshot.NOT_SCHEDULED
                        : Long.parseLong(new String(scheduled, StandardCharsets.UTF_8)));
    }

    static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}

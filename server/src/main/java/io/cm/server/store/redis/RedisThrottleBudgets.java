package io.cm.server.store.redis;

import io.cm.core.session.SubjectKey;
import io.cm.core.store.RequestLimit;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.concurrent.CompletionStage;

/**
 * Request budgets in Redis, shared by every node: one script call per request, which counts and
 * answers atomically (no read-then-compare-and-swap that would retry under a hot key, as a burst of
 * inits for one subject is). Windows and refills follow the same rule as {@code LocalBudgets}, on
 * the server's clock; each budget's key carries its subject's hash tag and expires with its window.
 */
final class RedisThrottleBudgets {

    private static final LuaScript TAKE = new LuaScript("""
            -- KEYS[1]: a budget {start: window start (ms), taken: requests in that window}.
            -- ARGV: now (ms), requests per window, window (ms). Windows follow each other from the
            -- first request. Returns 0 if a request was taken, else the ms until the next window.
            local now, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
            local stored = redis.call('HMGET', KEYS[1], 'start', 'taken')
            local start, taken = tonumber(stored[1]), tonumber(stored[2]) or 0
            if not start then
              start = now
            elseif now >= start + window then
              start = start + math.floor((now - start) / window) * window
              taken = 0
            end
            if taken >= limit then return math.max(1, start + window - now) end
            redis.call('HSET', KEYS[1], 'start', string.format('%.0f', start), 'taken', taken + 1)
            redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.max(1, start + window - now)))
            return 0
            """);

    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final RedisCalls calls;

    RedisThrottleBudgets(RedisClusterAsyncCommands<String, byte[]> redis, RedisCalls calls) {
        this.redis = redis;
        this.calls = calls;
    }

    /**
     * Takes one request from the budget {@code budget} of {@code subject}: completes with 0 if it was
     * there, else the milliseconds (at least 1) until the budget refills.
     */
    CompletionStage<Long> tryTake(SubjectKey subject, String budget, RequestLimit limit, long now) {
        String[] key = {RedisKeys.budget(subject, budget)};
        byte[] at = SubjectHashes.text(Long.toString(now));
        byte[] perWindow = SubjectHashes.text(Integer.toString(limit.perWindow()));
        byte[] window = SubjectHashes.text(Long.toString(limit.windowMillis()));
        return calls.call(() -> TAKE.<Long>run(redis, ScriptOutputType.INTEGER, key, at, perWindow, window));
    }
}

package io.cm.server.store.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script sent by its SHA-1 ({@code EVALSHA}), so a call carries only the digest. A Redis that
 * does not know it yet (first use, a restart, another cluster node) answers {@code NOSCRIPT}; the
 * call is then repeated with the source ({@code EVAL}), which also caches it there.
 */
final class LuaScript {

    private final String source;
    private final String sha;

    LuaScript(String source) {
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }

    <T> CompletionStage<T> run(RedisClusterAsyncCommands<String, byte[]> redis, ScriptOutputType output,
                               String[] keys, byte[]... args) {
        CompletionStage<T> bySha = redis.evalsha(sha, output, keys, args);
        return bySha.exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
                ? redis.eval(source, output, keys, args)
                : CompletableFuture.failedStage(failure));
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}

package io.cm.server.store.redis;

import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.Metered;
import io.cm.core.store.Spend;
import io.cm.server.store.SubjectSessionsCodec;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The hash of one subject and the two scripts that change it. Layout:
 * <pre>
 * v        version: a random token, new with each commit of the structure
 * s        structure: the subject's sessions and tombstones as JSON (SubjectSessionsCodec); the
 *          times inside are those of the last commit and are overridden by the t: fields
 * d        the deadline scheduled in the due index with this version ('' = none)
 * p        the policy version s was last evaluated under (SubjectSessions.policyVersion), for touches
 * t:{id}   "{lastHeartbeat}:{expiresAt}" of each active session; present exactly for the active
 *          sessions of s, so a touch knows a session is alive (not ended, killed, dismissed)
 *          without reading s
 * b:{id}   request budget of an active session: "{window start}:{requests taken}:{window ms}"
 * i        the subject's init budget, same form; outlives the sessions (the hash then holds only it)
 * </pre>
 * A heartbeat ({@link #touch}) reads and writes only its session's {@code t:} and {@code b:}
 * fields; a commit ({@link #commit}) writes the structure and the fields of the sessions it adds,
 * moves or ends, and deletes those of ended sessions. Budgets follow {@code RequestWindow}'s rule
 * (N per window, refilled whole, windows from the first request keeping their phase), in Lua.
 * Every write keeps the hash alive past its last deadline plus a margin (never shortening it), so
 * Redis memory stays bounded by live subjects even if no node comes back to one.
 *
 * <p>A hash of the earlier layout ({@code v, s, d} only) reads with the times inside {@code s}; its
 * touches are undecided (no {@code p}, no {@code t:}) and so decided in full, which writes the new
 * fields. Nodes of both layouts must not share a Redis: the earlier ones would not see the {@code t:}
 * fields.
 *
 * <p>Policy stays in Java: the scripts only check versions and times, count and write. Replies are
 * decoded on the thread that completes the call.
 */
final class SubjectHashes {

    /** Lua shared by both scripts. */
    private static final String FUNCTIONS = """
            -- Takes one request from a budget ("start:taken:window", or false when it has none) at now:
            -- returns the budget's new value, or nil and the instant the next request is accepted.
            local function take(stored, now, limit, window)
              local start, taken = now, 0
              if stored then
                local s, t = string.match(stored, '^(%d+):(%d+):')
                start, taken = tonumber(s), tonumber(t)
                if now >= start + window then
                  start = start + math.floor((now - start) / window) * window
                  taken = 0
                end
              end
              if taken >= limit then return nil, start + window end
              return string.format('%.0f:%d:%.0f', start, taken + 1, window)
            end
            -- The expiresAt of a session's times "lastHeartbeat:expiresAt".
            local function expiry(times)
              return tonumber(string.match(times, ':(%d+)$'))
            end
            -- Makes the key live at least ttl ms more; never shortens it.
            local function extend(key, ttl)
              if redis.call('PTTL', key) < tonumber(ttl) then redis.call('PEXPIRE', key, ttl) end
            end
            """;

    private static final LuaScript TOUCH = new LuaScript(FUNCTIONS + """
            -- KEYS[1]: a subject's hash. ARGV: session id, now, the session's new times, the caller's
            -- policy version, requests per window, window ms, TTL ms, the version the caller has cached.
            -- {0}: undecided, nothing taken or written (the session is not active at now, or the subject
            -- was evaluated under other policies). {2, instant}: the session's budget is spent until then.
            -- {1}: a request taken and the times set; with the hash's fields when its version is not the
            -- cached one.
            local key, id, now = KEYS[1], ARGV[1], tonumber(ARGV[2])
            local stored = redis.call('HMGET', key, 't:' .. id, 'p', 'v', 'b:' .. id)
            if not stored[1] or stored[2] ~= ARGV[4] or now > expiry(stored[1]) then return {0} end
            local budget, acceptedFrom = take(stored[4], now, tonumber(ARGV[5]), tonumber(ARGV[6]))
            if not budget then return {2, acceptedFrom} end
            redis.call('HSET', key, 't:' .. id, ARGV[3], 'b:' .. id, budget)
            extend(key, ARGV[7])
            if stored[3] == ARGV[8] then return {1} end
            return {1, redis.call('HGETALL', key)}
            """);

    private static final LuaScript COMMIT = new LuaScript(FUNCTIONS + """
            -- KEYS[1]: a subject's hash; KEYS[2] (standalone Redis only): its due-index shard.
            -- ARGV[1] the version decided on ('' = no hash), [2] now, [3] the budget field to take a
            -- request from ('' = none; 'b:<id>' counts only while t:<id> exists), [4] requests per
            -- window, [5] window ms, [6] TTL ms of a budget, [7] n, then n pairs (session id, times):
            -- sessions the decision took as expired, refused if a heartbeat has moved them since.
            -- Then, if the decision writes: new version, structure ('' = no sessions left), scheduled
            -- deadline, policy version, TTL ms (covering a budget taken), m, m pairs (session id, times) to set (only ever moved
            -- later), r, r ids of ended sessions, and with KEYS[2] the due member to schedule ('' = none).
            -- {0}: done (also when this very commit was made already: a resend after a reconnect).
            -- {1, fields of the hash}: not the state decided on; nothing taken or written.
            -- {2, instant}: the budget is spent until then; nothing written.
            local key = KEYS[1]
            local at = 7
            local function arg() at = at + 1 return ARGV[at] end
            local checks = {}
            for c = 1, tonumber(ARGV[7]) do checks[c] = {arg(), arg()} end
            local writes = at < #ARGV
            local version = redis.call('HGET', key, 'v') or ''
            if writes and version == ARGV[at + 1] then return {0} end
            local budgetField, budget = ARGV[3], nil
            if budgetField == '' or (budgetField ~= 'i'
                and redis.call('HEXISTS', key, 't:' .. string.sub(budgetField, 3)) == 0) then
              budgetField = nil
            else
              local acceptedFrom
              budget, acceptedFrom = take(redis.call('HGET', key, budgetField), tonumber(ARGV[2]),
                  tonumber(ARGV[4]), tonumber(ARGV[5]))
              if not budget then return {2, acceptedFrom} end
            end
            if version ~= ARGV[1] then return {1, redis.call('HGETALL', key)} end
            for _, check in ipairs(checks) do
              local times = redis.call('HGET', key, 't:' .. check[1])
              -- (no t: field: a hash of the layout before t: fields, whose times are those in s)
              if times and times ~= check[2] then return {1, redis.call('HGETALL', key)} end
            end
            if budgetField then redis.call('HSET', key, budgetField, budget) end
            if not writes then
              if budgetField then extend(key, ARGV[6]) end
              return {0}
            end
            local nextVersion, state, scheduled, policy, ttl = arg(), arg(), arg(), arg(), arg()
            for c = 1, tonumber(arg()) do
              local field, times = 't:' .. arg(), arg()
              local current = redis.call('HGET', key, field)
              if not current or expiry(current) < expiry(times) then redis.call('HSET', key, field, times) end
            end
            for c = 1, tonumber(arg()) do
              local id = arg()
              redis.call('HDEL', key, 't:' .. id, 'b:' .. id)
            end
            if state == '' then
              redis.call('HDEL', key, 'v', 's', 'd', 'p')
              if budgetField then extend(key, ARGV[6]) end
              return {0}
            end
            redis.call('HSET', key, 'v', nextVersion, 's', state, 'd', scheduled, 'p', policy)
            extend(key, ttl)
            local due = arg()
            if due and due ~= '' then redis.call('ZADD', KEYS[2], 'LT', scheduled, due) end
            return {0}
            """);

    private static final byte[] NONE = new byte[0];
    private static final byte[] INIT_BUDGET = text("i");

    /**
     * A decision to commit: the snapshot it was made on, the request it takes, and what it writes.
     *
     * @param decidedAt  the decision's time: sessions of {@code decidedOn} expired then are checked
     * @param next       the snapshot to write; empty to only check that {@code decidedOn} is current
     * @param schedules  whether {@code next.scheduled()} goes into the due index
     * @param ttlMillis  how long the hash must live at least after this commit, budget included
     * @param budgetTtlMillis how long a budget taken now must live at least, for a commit that writes
     *                        no sessions
     */
    record Commit(Snapshot decidedOn, Optional<Spend> spend, long decidedAt, Optional<Snapshot> next,
                  boolean schedules, long ttlMillis, long budgetTtlMillis) {
    }

    /** What a touch came to, when the budget had room. */
    sealed interface TouchReply {
        /** Not settled by moving times: nothing changed. */
        record Undecided() implements TouchReply {
        }

        /** Times moved; {@code current} is the hash as it is now, unless its version was the cached one. */
        record Moved(Optional<Snapshot> current) implements TouchReply {
        }
    }

    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final boolean dueIndexInScript;
    private final SubjectSessionsCodec codec = new SubjectSessionsCodec();

    /**
     * @param dueIndexInScript whether the commit script schedules in the due index itself: only on a
     *                         standalone Redis, where a script may use keys of any slot
     */
    SubjectHashes(RedisClusterAsyncCommands<String, byte[]> redis, boolean dueIndexInScript) {
        this.redis = redis;
        this.dueIndexInScript = dueIndexInScript;
    }

    /** Whether {@link #commit} schedules in the due index; otherwise the caller does, in the same round trip. */
    boolean schedulesInScript() {
        return dueIndexInScript;
    }

    CompletionStage<Snapshot> read(SubjectKey subject) {
        return redis.hgetall(RedisKeys.subject(subject)).thenApply(this::decode);
    }

    /**
     * Takes a request from the session's budget and moves its times to {@code now} and
     * {@code expiresAt}, if it is active at {@code now} and the subject was evaluated under
     * {@code policyVersion}; one script call.
     */
    CompletionStage<Metered<TouchReply>> touch(SubjectKey subject, String sessionId, Spend spend, long expiresAt,
                                            long policyVersion, long ttlMillis, String cachedVersion) {
        long now = spend.now();
        CompletionStage<List<Object>> reply = TOUCH.run(redis, ScriptOutputType.MULTI,
                new String[]{RedisKeys.subject(subject)},
                text(sessionId), number(now), text(times(now, expiresAt)), number(policyVersion),
                number(spend.limit().perWindow()), number(spend.limit().windowMillis()), number(ttlMillis),
                text(cachedVersion));
        return reply.thenApply(fields -> switch (code(fields)) {
            case 0 -> new Metered.Done<>(new TouchReply.Undecided());
            case 1 -> new Metered.Done<>(new TouchReply.Moved(fields.size() > 1
                    ? Optional.of(decodeFlat(fields.get(1))) : Optional.empty()));
            default -> new Metered.Throttled<>((Long) fields.get(1));
        });
    }

    /**
     * Commits {@code commit} if the hash is still what it was decided on: takes the request, writes,
     * and schedules when the script does. Completes with {@code Done(empty)} when committed,
     * {@code Done(the current snapshot)} when the decision must be made again, or {@code Throttled}.
     */
    CompletionStage<Metered<Optional<Snapshot>>> commit(SubjectKey subject, Commit commit) {
        String key = RedisKeys.subject(subject);
        String[] keys = dueIndexInScript
                ? new String[]{key, RedisKeys.dueShard(RedisKeys.dueMember(subject))} : new String[]{key};
        CompletionStage<List<Object>> reply = COMMIT.run(redis, ScriptOutputType.MULTI, keys,
                arguments(subject, commit));
        return reply.thenApply(fields -> switch (code(fields)) {
            case 0 -> new Metered.Done<>(Optional.empty());
            case 1 -> new Metered.Done<>(Optional.of(decodeFlat(fields.get(1))));
            default -> new Metered.Throttled<>((Long) fields.get(1));
        });
    }

    private byte[][] arguments(SubjectKey subject, Commit commit) {
        List<byte[]> args = new ArrayList<>();
        args.add(text(commit.decidedOn().version()));
        args.add(number(commit.spend().map(Spend::now).orElse(0L)));
        args.add(commit.spend().map(s -> s.sessionId().map(id -> text("b:" + id)).orElse(INIT_BUDGET)).orElse(NONE));
        args.add(number(commit.spend().map(s -> (long) s.limit().perWindow()).orElse(0L)));
        args.add(number(commit.spend().map(s -> s.limit().windowMillis()).orElse(0L)));
        args.add(number(commit.budgetTtlMillis()));
        addTimes(args, commit.decidedOn().state().expiredAt(commit.decidedAt()));
        commit.next().ifPresent(next -> addWrite(args, subject, commit, next));
        return args.toArray(byte[][]::new);
    }

    /** The structure, and the times of the sessions added or moved and the ids of those ended since {@code decidedOn}. */
    private void addWrite(List<byte[]> args, SubjectKey subject, Commit commit, Snapshot next) {
        SubjectSessions before = commit.decidedOn().state();
        SubjectSessions after = next.state();
        args.add(text(next.version()));
        args.add(after.isEmpty() ? NONE : codec.encode(after));
        args.add(next.scheduled() == Snapshot.NOT_SCHEDULED ? NONE : number(next.scheduled()));
        args.add(number(after.policyVersion()));
        args.add(number(commit.ttlMillis()));
        Map<String, Session> previous = new HashMap<>();
        for (Session s : before.active()) previous.put(s.id(), s);
        List<Session> moved = new ArrayList<>();
        Set<String> remaining = new HashSet<>();
        for (Session s : after.active()) {
            remaining.add(s.id());
            Session was = previous.get(s.id());
            if (was == null || was.lastHeartbeat() != s.lastHeartbeat() || was.expiresAt() != s.expiresAt()) {
                moved.add(s);
            }
        }
        addTimes(args, moved);
        List<String> ended = before.active().stream().map(Session::id).filter(id -> !remaining.contains(id)).toList();
        args.add(number(ended.size()));
        for (String id : ended) args.add(text(id));
        if (dueIndexInScript) args.add(commit.schedules() ? text(RedisKeys.dueMember(subject)) : NONE);
    }

    /** A count, then each session's id and times. */
    private static void addTimes(List<byte[]> args, List<Session> sessions) {
        args.add(number(sessions.size()));
        for (Session s : sessions) {
            args.add(text(s.id()));
            args.add(text(times(s.lastHeartbeat(), s.expiresAt())));
        }
    }

    /** The snapshot a hash's fields describe, the sessions' times taken from their t: fields. */
    private Snapshot decode(Map<String, byte[]> fields) {
        byte[] version = fields.get("v");
        if (version == null) return Snapshot.ABSENT;
        SubjectSessions structure = codec.decode(fields.get("s"));
        List<Session> active = new ArrayList<>(structure.active().size());
        for (Session s : structure.active()) {
            byte[] times = fields.get("t:" + s.id());
            if (times == null) {
                active.add(s);
                continue;
            }
            String value = new String(times, StandardCharsets.UTF_8);
            int colon = value.indexOf(':');
            active.add(s.heartbeat(Long.parseLong(value.substring(0, colon)),
                    Long.parseLong(value.substring(colon + 1)), s.metadata()));
        }
        byte[] scheduled = fields.get("d");
        return new Snapshot(new String(version, StandardCharsets.UTF_8),
                new SubjectSessions(active, structure.ended(), structure.policyVersion()),
                scheduled == null || scheduled.length == 0 ? Snapshot.NOT_SCHEDULED
                        : Long.parseLong(new String(scheduled, StandardCharsets.UTF_8)));
    }

    /** The fields of an {@code HGETALL} run by a script: names and values, one after the other. */
    private Snapshot decodeFlat(Object reply) {
        @SuppressWarnings("unchecked")
        List<Object> flat = (List<Object>) reply;
        Map<String, byte[]> fields = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(new String((byte[]) flat.get(i), StandardCharsets.UTF_8), (byte[]) flat.get(i + 1));
        }
        return decode(fields);
    }

    private static int code(List<Object> reply) {
        return ((Long) reply.getFirst()).intValue();
    }

    /** A session's times as its {@code t:} field holds them. */
    static String times(long lastHeartbeat, long expiresAt) {
        return lastHeartbeat + ":" + expiresAt;
    }

    static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] number(long value) {
        return text(Long.toString(value));
    }
}

package io.cm.server.events.kafka;

import io.cm.server.config.DeliverySettings;
import io.cm.server.config.KafkaSettings;
import io.cm.server.config.LiveStreamSettings;
import io.cm.server.events.GroupMember;
import io.cm.server.events.GroupRefusal;
import io.cm.server.events.JoinRequest;
import io.cm.server.events.StreamGroup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live connections of one stream, on every node, as one Kafka consumer group
 * {@code cm.live-stream.<name>} (SPEC §6, §8). The group coordinator spreads the partitions, moves
 * them when connections come and go, fences a connection replaced by its {@code clientId}, and
 * keeps the committed offsets; this class only decides whether a connection may join.
 *
 * <p>{@code maxConnections} holds across nodes through the group's member list, asked of the
 * coordinator with the Admin client before joining: each member's Kafka {@code client.id} says the
 * {@code maxConnections} it joined with. Two connections arriving together on different nodes can
 * both pass that check, so each one asks again once it has joined and leaves (409) if the group
 * then has more members than allowed — both may leave, none is ever admitted beyond the limit.
 */
final class KafkaStreamGroup implements StreamGroup {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaStreamGroup.class);
    /** A member of a vanished node holds its slot until the session timeout; a clientId need not wait at all. */
    private static final int CONFLICT_RETRY_AFTER_SECONDS = 10;
    private static final int NOT_READY_RETRY_AFTER_SECONDS = 30;
    private static final int UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);
    private static final int DESCRIBE_TIMEOUT_MILLIS = 5000;
    private static final int SESSION_TIMEOUT_MILLIS = (int) TimeUnit.SECONDS.toMillis(CONFLICT_RETRY_AFTER_SECONDS);
    private static final Pattern CLIENT_ID = Pattern.compile("cm-live\\.max(\\d+)\\..*");
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final AtomicLong CLIENTS = new AtomicLong();

    private final LiveStreamSettings stream;
    private final KafkaSettings kafka;
    private final DeliverySettings delivery;
    private final Clock clock;
    private final Admin admin;
    private final BrokerWatch broker;
    private final TenantWatch tenants;
    private final String groupId;
    /** This node's live connections. */
    private final Set<KafkaMember> members = ConcurrentHashMap.newKeySet();
    /** Members whose consumer has not yet committed and left, live or not: shutdown waits for them. */
    private final Set<KafkaMember> running = ConcurrentHashMap.newKeySet();

    KafkaStreamGroup(LiveStreamSettings stream, KafkaSettings kafka, DeliverySettings delivery, Clock clock, Admin admin,
                     BrokerWatch broker, TenantWatch tenants) {
        this.stream = stream;
        this.kafka = kafka;
        this.delivery = delivery;
        this.clock = clock;
        this.admin = admin;
        this.broker = broker;
        this.tenants = tenants;
        this.groupId = "cm.live-stream." + stream.name();
    }

    @Override
    public CompletionStage<GroupMember> join(JoinRequest request, GroupMember.Listener listener) {
        if (!broker.reachable()) return CompletableFuture.failedFuture(unavailable("the event broker is unreachable"));
        if (!tenants.hasEvents(stream.tenant())) {
            return CompletableFuture.failedFuture(new GroupRefusal(503, "no_events_yet",
                    "Stream " + stream.name() + " has not received any event yet", NOT_READY_RETRY_AFTER_SECONDS));
        }
        Optional<String> instance = request.clientId().map(KafkaStreamGroup::instanceId);
        return members().thenCompose(before -> {
            List<MemberDescription> others = before.stream()
                    .filter(member -> instance.isEmpty() || !member.groupInstanceId().equals(instance)).toList();
            admissible(request, others);
            KafkaMember member = new KafkaMember(consumer(request, instance), kafka.topic(), stream,
                    new KafkaMember.Start(request.reset(), others.isEmpty(), others.size() < before.size()),
                    delivery.replayMargin(), delivery.resumeWindow(), clock, listener, members::remove, running::remove);
            members.add(member);
            running.add(member);
            member.start();
            return member.joined()
                    .orTimeout(JOIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .thenCompose(joined -> members())
                    .thenApply(after -> {
                        long peers = after.stream().filter(m -> !m.consumerId().equals(member.memberId())).count();
                        if (peers >= request.maxConnections()) throw tooMany(peers, request.maxConnections());
                        return (GroupMember) member;
                    })
                    .whenComplete((joined, error) -> {
                        if (error != null) member.leave(true);
                    });
        }).exceptionallyCompose(KafkaStreamGroup::refused);
    }

    LiveStreamSettings settings() {
        return stream;
    }

    @Override
    public int connections() {
        return members.size();
    }

    /** Refuses a connection the members of the group (other than the one it replaces) leave no room for. */
    private static void admissible(JoinRequest request, List<MemberDescription> others) {
        for (MemberDescription other : others) {
            Matcher max = CLIENT_ID.matcher(other.clientId());
            if (max.matches() && Integer.parseInt(max.group(1)) != request.maxConnections()) {
                throw new GroupRefusal(409, "max_connections_mismatch", "maxConnections=" + request.maxConnections()
                        + " differs from the " + max.group(1) + " the live connections of this stream use",
                        CONFLICT_RETRY_AFTER_SECONDS);
            }
        }
        if (others.size() >= request.maxConnections()) throw tooMany(others.size(), request.maxConnections());
    }

    private static GroupRefusal tooMany(long others, int maxConnections) {
        return new GroupRefusal(409, "too_many_connections", "the stream already has " + others
                + " live connection(s) of " + maxConnections + " allowed", CONFLICT_RETRY_AFTER_SECONDS);
    }

    private static GroupRefusal unavailable(String why) {
        return new GroupRefusal(503, "events_unavailable", "The live stream cannot be served now: " + why,
                UNAVAILABLE_RETRY_AFTER_SECONDS);
    }

    /** A refusal as it is; anything else (broker errors, a join that timed out) as a 503. */
    private static CompletionStage<GroupMember> refused(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof GroupRefusal refusal) return CompletableFuture.failedFuture(refusal);
        LOG.warn("Live stream join failed: {}", cause.toString());
        return CompletableFuture.failedFuture(unavailable(cause instanceof TimeoutException
                ? "the consumer group did not take the connection in time" : cause.toString()));
    }

    /** The group's members as its coordinator knows them; none for a group that does not exist yet. */
    private CompletionStage<List<MemberDescription>> members() {
        // With the broker away this fails in seconds, and the connection gets a 503.
        return admin.describeConsumerGroups(List.of(groupId), new DescribeConsumerGroupsOptions().timeoutMs(DESCRIBE_TIMEOUT_MILLIS))
                .describedGroups().get(groupId).toCompletionStage()
                .thenApply(description -> List.copyOf(description.members()))
                .exceptionallyCompose(error -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    return cause instanceof GroupIdNotFoundException
                            ? CompletableFuture.completedFuture(List.of()) : CompletableFuture.failedFuture(cause);
                });
    }

    private KafkaConsumer<byte[], byte[]> consumer(JoinRequest request, Optional<String> instance) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.CLIENT_ID_CONFIG, "cm-live.max" + request.maxConnections() + "." + CLIENTS.incrementAndGet(),
                // The classic protocol: its static members replace a live member with the same instance id.
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, GroupProtocol.CLASSIC.name().toLowerCase(Locale.ROOT),
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MILLIS,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MILLIS / 4,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) JOIN_TIMEOUT.toMillis()));
        instance.ifPresent(id -> config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * The static-member instance id of a {@code clientId}: itself when Kafka accepts it as one,
     * else a digest of it (a clientId may hold any printable characters).
     */
    static String instanceId(String clientId) {
        if (INSTANCE_ID.matcher(clientId).matches()) return clientId;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(clientId.getBytes(StandardCharsets.UTF_8));
            return "cm-client-" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Ends this node's connections' memberships and waits until their positions are committed. */
    void close() {
        List<KafkaMember> leaving = List.copyOf(running);
        leaving.forEach(member -> member.leave(true));
        for (KafkaMember member : leaving) {
            try {
                member.awaitGone(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

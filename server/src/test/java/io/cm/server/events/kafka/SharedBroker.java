package io.cm.server.events.kafka;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Kafka broker shared by the test classes of this JVM that do not stop it (a broker takes many
 * seconds to start); each asks for a topic of its own, so that classes never see each other's events.
 */
public final class SharedBroker {

    private static final AtomicLong TOPICS = new AtomicLong();

    private SharedBroker() {
    }

    /** What makes a server publish to, and stream from, the shared broker on a topic of its own. */
    public static Map<String, String> onKafka(String topicPrefix) {
        return onKafka(Holder.BROKER, topicPrefix + "-" + TOPICS.incrementAndGet());
    }

    /** The broker itself, for tests that stop it; they start it again before they end. */
    public static KafkaBrokerProcess broker() {
        return Holder.BROKER;
    }

    /** What makes a server publish to, and stream from, {@code broker} on {@code topic}. */
    public static Map<String, String> onKafka(KafkaBrokerProcess broker, String topic) {
        return Map.of("CM_EVENTS", "kafka", "CM_KAFKA_BOOTSTRAP", broker.bootstrap(), "CM_KAFKA_TOPIC", topic);
    }

    /** Started on first use, stopped when the test JVM exits. */
    private static final class Holder {
        static final KafkaBrokerProcess BROKER = KafkaBrokerProcess.start();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(BROKER::close));
        }
    }
}

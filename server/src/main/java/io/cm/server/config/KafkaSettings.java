package io.cm.server.config;

/**
 * Where events go with {@code server.events: kafka} (SPEC §8): the brokers to start from
 * ({@code host:port[,…]}) and the topic, created with {@code delivery.partitions} partitions if missing.
 */
public record KafkaSettings(String bootstrap, String topic) {

    public static final String DEFAULT_TOPIC = "cm.session-events";

    public KafkaSettings {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("server.kafka-bootstrap (CM_KAFKA_BOOTSTRAP) is required when server.events is kafka");
        }
        if (!topic.matches("[A-Za-z0-9._-]{1,200}")) {
            throw new IllegalArgumentException("server.kafka-topic '" + topic
                    + "' is not a Kafka topic name (1 to 200 of A-Z a-z 0-9 . _ -)");
        }
    }
}

package io.cm.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live-stream client given a stream client's id and secret obtains its access tokens itself from the
 * real server's {@code POST /token}: before connecting, again before a token expires (on the client's
 * clock), and once more when the stream refuses an expired one with 401 (the server's clock moved).
 */
@Timeout(60)
class LiveStreamTokenTest {

    /** {@code reader-secret}, hashed with 1,000 iterations (cheap for tests; the hash carries its count). */
    private static final String READER_SECRET_HASH =
            "pbkdf2-sha256$1000$fgtFs5rwPzzvh6/W+/HqYg$jhX/y4MbGvzE73vIfeGr6+hmcjVPKp8kNw9uyqjyNdE";
    private static final String GRANTED = "cm_http_request_duration_seconds_count{route=\"POST /token\",status=\"200\"}";
    private static final String REFUSED = "cm_http_request_duration_seconds_count{route=\"GET /api/1/stream/:streamName\",status=\"401\"}";

    private static RealServer server;
    private final List<SessionEvent> received = new CopyOnWriteArrayList<>();
    private final List<LiveStreamException> failures = new CopyOnWriteArrayList<>();
    private final ManualClock clock = Fixtures.localClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private CuttableProxy proxy;
    private LiveStreamClient client;

    @BeforeAll
    static void start() {
        server = RealServer.withConfig("""
                tenants:
                  - id: demo
                    applications:
                      - {id: demo-app, name: Demo application, policies: [open]}
                policies:
                  - name: open
                    rules:
                      - {type: max-streams, limit: 1000}
                streams:
                  - {name: tokens, tenant: demo, tokens: [static-token]}
                stream-clients:
                  - {id: reader, secret: "%s", streams: [tokens]}
                """.formatted(READER_SECRET_HASH));
        Fixtures.started(server, "warm-up");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeAll() {
        if (client != null) client.close();
        if (proxy != null) proxy.close();
    }

    private LiveStreamClient.Builder reader(String secret) {
        proxy = new CuttableProxy(server.port());
        return LiveStreamClient.builder(Fixtures.streamUrl(proxy.port(), "tokens"),
                        URI.create("http://127.0.0.1:" + server.port() + "/token"), "reader", secret)
                .clientId("token-reader").clock(clock).scheduler(scheduler);
    }

    private void connect(LiveStreamClient.Builder settings) {
        client = settings.build();
        client.subscribe(received::add, failures::add);
        Fixtures.awaitLiveConnections(server, "tokens", 1);
        Await.until("the relay of the connection", () -> proxy.accepted() == 1);
    }

    /** Cuts the connection; with a clientId the client reconnects at once. */
    private void cutAndAwaitReconnect() {
        proxy.cut();
        Await.until("the reconnect", () -> proxy.accepted() == 2);
        Fixtures.awaitLiveConnections(server, "tokens", 1);
    }

    @Test
    void aClientWithCredentialsObtainsATokenAndReadsTheStream() {
        double grantedBefore = counter(GRANTED);
        connect(reader("reader-secret"));

        String session = Fixtures.started(server, "alice");

        Await.until("the start of alice", () -> received.stream().anyMatch(e -> e.raw().path("sessionId").asText().equals(session)));
        assertThat(counter(GRANTED) - grantedBefore).as("tokens obtained").isEqualTo(1);
        assertThat(failures).isEmpty();
    }

    @Test
    void anExpiredTokenRefusedWith401IsReplacedOnceAndTheStreamGoesOn() {
        connect(reader("reader-secret"));
        double grantedBefore = counter(GRANTED);
        double refusedBefore = counter(REFUSED);

        server.advanceClock(Duration.ofHours(2)); // the token has expired for the server, not for the client
        cutAndAwaitReconnect();
        String session = Fixtures.started(server, "bob");

        Await.until("the start of bob", () -> received.stream().anyMatch(e -> e.raw().path("sessionId").asText().equals(session)));
        assertThat(counter(REFUSED) - refusedBefore).as("401 to the expired token").isEqualTo(1);
        assertThat(counter(GRANTED) - grantedBefore).as("new tokens obtained").isEqualTo(1);
        assertThat(failures).isEmpty();
    }

    @Test
    void aTokenIsReplacedBeforeItExpiresWithoutBeingRefused() {
        connect(reader("reader-secret"));
        double grantedBefore = counter(GRANTED);
        double refusedBefore = counter(REFUSED);

        clock.advance(Duration.ofMinutes(59).plusSeconds(30)); // past the renewal point (1 h less a minute), before the expiry
        cutAndAwaitReconnect();

        assertThat(counter(GRANTED) - grantedBefore).as("new tokens obtained").isEqualTo(1);
        assertThat(counter(REFUSED) - refusedBefore).as("401s").isZero();
        assertThat(failures).isEmpty();
    }

    @Test
    void aWrongSecretGivesUpAtOnceSayingWhy() {
        client = reader("wrong-secret").build();
        client.subscribe(received::add, failures::add);

        Await.until("the client to give up", () -> !failures.isEmpty());
        assertThat(failures.get(0)).hasMessageContaining("invalid_client");
        assertThat(proxy.accepted()).as("no stream connection attempted").isZero();
    }

    private static double counter(String line) {
        return server.get("none", "/metrics").body().lines().filter(l -> l.startsWith(line + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(line.length() + 1))).findFirst().orElse(0);
    }
}

package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Required metadata (SPEC §2): {@code GET /v2/metadata} once, then cached; a missing key is a typed refusal,
 * which also drops the cache, since it means the policies have changed.
 */
class RequiredMetadataTest {

    /** A 400 as the server sends it when the policies need a key the start did not send (SPEC §2). */
    private static final String MISSING_DEVICE = """
            {"status":"error","error":{"code":"METADATA_MISSING","message":"Required metadata missing"},
             "evaluationResult":{"decision":"DENY","associatedAdvice":[],"obligations":[
              {"action":"refresh","arguments":["metadata"],"attributes":{"missing":["deviceId"]}}]}}""";

    private final RealServer server = Fixtures.demoServer();

    @Test
    void theRequiredMetadataIsAskedOnceThenServedFromTheCache() throws Exception {
        CuttableProxy proxy = new CuttableProxy(server.port());
        try (ConcurrencyClient client = ConcurrencyClient.builder(URI.create("http://127.0.0.1:" + proxy.port()),
                "demo-app-2").build()) {
            assertThat(client.requiredMetadata()).containsExactly("channel");

            proxy.close(); // the service is now out of reach

            assertThat(client.requiredMetadata()).containsExactly("channel");
            assertThat(client.requiredMetadataAsync()).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(List.of("channel"));
        }
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aStartWithoutRequiredMetadataIsATypedRefusalNamingTheMissingKeys(CallStyle style) {
        try (ConcurrencyClient client = ConcurrencyClient.builder(Fixtures.baseUrl(server), "demo-app-2").build()) {

            MissingMetadataException refusal = catchThrowableOfType(MissingMetadataException.class,
                    () -> style.start(client, "meta1", Map.of("deviceId", "tv")));

            assertThat(refusal.missing()).containsExactly("channel");
            assertThat(refusal.status()).hasValue(400);
            assertThat(refusal.code()).hasValue("METADATA_MISSING");
        }
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aStartRefusedForMissingMetadataDropsTheCacheSoThatTheNextAskGetsTheChangedPolicies(CallStyle style)
            throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            switch (n) {
                case 0 -> FaultServer.reply(exchange, 200, Map.of(), "[\"channel\"]");
                case 1 -> FaultServer.reply(exchange, 400, Map.of(), MISSING_DEVICE);
                default -> FaultServer.reply(exchange, 200, Map.of(), "[\"channel\",\"deviceId\"]");
            }
        }); ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {
            assertThat(style.requiredMetadata(manual.client)).containsExactly("channel");

            MissingMetadataException refusal = catchThrowableOfType(MissingMetadataException.class,
                    () -> style.start(manual.client, "alice", Map.of("channel", "news")));

            assertThat(refusal.missing()).containsExactly("deviceId");
            assertThat(style.requiredMetadata(manual.client)).containsExactly("channel", "deviceId");
            assertThat(fault.requests()).extracting(FaultServer.Request::method).containsExactly("GET", "POST", "GET");
        }
    }
}

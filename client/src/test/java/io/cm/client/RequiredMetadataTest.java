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

/** Required metadata (SPEC §2): {@code GET /v2/metadata} once, then cached; a missing key is a typed refusal. */
class RequiredMetadataTest {

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
}

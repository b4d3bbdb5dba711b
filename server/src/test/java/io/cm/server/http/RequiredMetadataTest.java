package io.cm.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static io.cm.server.TestServer.json;
import static io.cm.server.http.Api.assertError;
import static io.cm.server.http.Api.postForm;
import static io.cm.server.http.Api.runningStreams;
import static io.cm.server.http.Api.started;
import static io.cm.server.http.Api.streamById;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Required metadata and immutable keys (SPEC §1, §2), on demo-app-2: at most 2 sessions per
 * {@code channel}, LIFO; {@code channel} is required and immutable.
 */
class RequiredMetadataTest {

    private static final String APP = "demo-app-2";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String init(String subject, String query) {
        return started(server, APP, "/v2/sessions/idp/" + subject + "?" + query);
    }

    @Test
    void metadataEndpointListsTheKeysTheApplicationsPoliciesRead() {
        HttpResponse<String> app2 = server.get(APP, "/v2/metadata");
        assertThat(app2.statusCode()).isEqualTo(200);
        assertThat(app2.headers().firstValue("Content-Type")).hasValue("application/json;charset=utf-8");
        assertThat(app2.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(json(app2).isArray()).isTrue();
        assertThat(json(app2)).extracting(JsonNode::asText).containsExactly("channel");

        HttpResponse<String> app = server.get("demo-app", "/v2/metadata");
        assertThat(app.statusCode()).isEqualTo(200);
        assertThat(json(app).isArray()).isTrue();
        assertThat(json(app)).isEmpty();
    }

    @Test
    void metadataEndpointRequiresAKnownApplication() {
        assertError(server.get("no-such-app", "/v2/metadata"), 401, null);
    }

    @Test
    void initWithoutARequiredKeyIsRefusedWithARefreshMetadataObligationAndStoresNothing() {
        HttpResponse<String> response = server.post(APP, "/v2/sessions/idp/missing?deviceId=d1");

        JsonNode body = assertError(response, 400, "METADATA_MISSING");
        JsonNode obligations = body.path("evaluationResult").path("obligations");
        assertThat(obligations.isArray()).isTrue();
        assertThat(obligations).isNotEmpty();
        JsonNode obligation = obligations.get(0);
        assertThat(obligation.path("action").asText()).isEqualTo("refresh");
        assertThat(obligation.path("arguments")).extracting(JsonNode::asText).containsExactly("metadata");
        assertThat(obligation.path("attributes").path("missing")).extracting(JsonNode::asText).containsExactly("channel");
        assertThat(response.headers().firstValue("Location")).isEmpty();
        assertThat(runningStreams(server, APP, "idp", "missing").path("runningStreams")).isEmpty();
    }

    @Test
    void aThirdSessionOnTheSameChannelIsDeniedWithAPerValueViolationWhileAnotherChannelIsAccepted() {
        List<String> ids = new ArrayList<>();
        ids.add(init("percha", "channel=news&deviceId=d1"));
        ids.add(init("percha", "channel=news&deviceId=d2"));

        HttpResponse<String> denied = server.post(APP, "/v2/sessions/idp/percha?channel=news&deviceId=d3");

        JsonNode body = assertError(denied, 409, "POLICY_VIOLATION");
        assertThat(body.at("/evaluationResult/decision").asText()).isEqualTo("DENY");
        JsonNode advice = body.at("/evaluationResult/associatedAdvice");
        assertThat(advice).hasSize(1);
        assertThat(advice.get(0).path("adviceType").asText()).isEqualTo("rule-violation");
        JsonNode attributes = advice.get(0).path("attributes");
        assertThat(attributes.path("policy").asText()).isEqualTo("demo-policy-2");
        assertThat(attributes.path("rule").asText()).isEqualTo("max_per_value");
        assertThat(attributes.path("attribute").asText()).isEqualTo("channel");
        assertThat(attributes.path("value").asText()).isEqualTo("news");
        assertThat(attributes.path("threshold").asInt()).isEqualTo(2);
        assertThat(attributes.path("current").asInt()).isEqualTo(3);
        assertThat(attributes.path("conflicts")).hasSize(2);
        List<String> conflictIds = new ArrayList<>();
        for (JsonNode conflict : attributes.path("conflicts")) {
            conflictIds.add(conflict.path("sessionId").asText());
            assertThat(conflict.path("terminationCode").asText()).isNotBlank();
            assertThat(conflict.path("applicationName").asText()).isEqualTo("Demo application 2");
            assertThat(conflict.path("metadata").path("channel").asText()).isEqualTo("news");
        }
        assertThat(conflictIds).containsExactlyInAnyOrderElementsOf(ids);

        init("percha", "channel=sport&deviceId=d3");
        assertThat(runningStreams(server, APP, "idp", "percha").path("runningStreams")).hasSize(3);
    }

    @Test
    void formBodyMetadataCountsLikeQueryMetadata() {
        HttpResponse<String> fromBody = postForm(server, APP, "/v2/sessions/idp/former", "channel=news&deviceId=body-1");
        assertThat(fromBody.statusCode()).as(fromBody.body()).isEqualTo(202);
        String bodyId = fromBody.headers().firstValue("Location").orElseThrow();
        init("former", "channel=news&deviceId=query-1");

        HttpResponse<String> third = postForm(server, APP, "/v2/sessions/idp/former", "channel=news&deviceId=body-2");
        JsonNode attributes = assertError(third, 409, "POLICY_VIOLATION")
                .at("/evaluationResult/associatedAdvice/0/attributes");
        assertThat(attributes.path("value").asText()).isEqualTo("news");
        assertThat(attributes.path("current").asInt()).isEqualTo(3);
        assertThat(attributes.path("conflicts")).hasSize(2);

        JsonNode listed = streamById(runningStreams(server, APP, "idp", "former"), bodyId);
        assertThat(listed.path("metadata").path("channel").asText()).isEqualTo("news");
        assertThat(listed.path("metadata").path("deviceId").asText()).isEqualTo("body-1");
    }

    @Test
    void formBodyAndQueryMetadataAreMergedOnInit() {
        HttpResponse<String> response = postForm(server, APP, "/v2/sessions/idp/merger?deviceId=q1",
                "channel=movies&contentType=vod");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String id = response.headers().firstValue("Location").orElseThrow();

        JsonNode metadata = streamById(runningStreams(server, APP, "idp", "merger"), id).path("metadata");
        assertThat(metadata.path("deviceId").asText()).isEqualTo("q1");
        assertThat(metadata.path("channel").asText()).isEqualTo("movies");
        assertThat(metadata.path("contentType").asText()).isEqualTo("vod");
    }

    @Test
    void formBodyMetadataOnHeartbeatUpdatesTheSession() {
        String id = init("beatform", "channel=news&deviceName=tv");
        HttpResponse<String> beat = postForm(server, APP, "/v2/sessions/idp/beatform/" + id, "deviceName=kitchen");
        assertThat(beat.statusCode()).as(beat.body()).isEqualTo(202);
        assertThat(streamById(runningStreams(server, APP, "idp", "beatform"), id).path("metadata").path("deviceName")
                .asText()).isEqualTo("kitchen");
    }

    @Test
    void changingChannelOnHeartbeatIsRefusedAndTheSessionKeepsItsValue() {
        String id = init("zapper", "channel=news&deviceId=d1");

        HttpResponse<String> change = server.post(APP, "/v2/sessions/idp/zapper/" + id + "?channel=sport");
        JsonNode body = assertError(change, 400, "METADATA_IMMUTABLE");
        assertThat(body.path("error").path("message").asText()).contains("channel");

        HttpResponse<String> viaBody = postForm(server, APP, "/v2/sessions/idp/zapper/" + id, "channel=sport");
        assertError(viaBody, 400, "METADATA_IMMUTABLE");

        assertThat(streamById(runningStreams(server, APP, "idp", "zapper"), id).path("metadata").path("channel")
                .asText()).isEqualTo("news");
        assertThat(server.post(APP, "/v2/sessions/idp/zapper/" + id + "?channel=news").statusCode())
                .as("repeating the same value is not a change").isEqualTo(202);
        assertThat(server.post(APP, "/v2/sessions/idp/zapper/" + id).statusCode()).isEqualTo(202);
    }

    @Test
    void anImmutableKeyThatWasUnsetMayBeAddedOnceThenNotChanged() {
        String id = init("packager", "channel=news");

        HttpResponse<String> add = server.post(APP, "/v2/sessions/idp/packager/" + id + "?package=gold&mvpd=acme");
        assertThat(add.statusCode()).as(add.body()).isEqualTo(202);
        JsonNode metadata = streamById(runningStreams(server, APP, "idp", "packager"), id).path("metadata");
        assertThat(metadata.path("package").asText()).isEqualTo("gold");
        assertThat(metadata.path("mvpd").asText()).isEqualTo("acme");

        assertError(server.post(APP, "/v2/sessions/idp/packager/" + id + "?package=silver"), 400, "METADATA_IMMUTABLE");
        assertThat(streamById(runningStreams(server, APP, "idp", "packager"), id).path("metadata").path("package")
                .asText()).isEqualTo("gold");
    }

    @Test
    void mutableKeysMayChangeOnEveryHeartbeat() {
        String id = init("mutant", "channel=news&deviceName=tv&position=0");

        assertThat(server.post(APP, "/v2/sessions/idp/mutant/" + id + "?deviceName=phone&position=10").statusCode())
                .isEqualTo(202);
        assertThat(server.post(APP, "/v2/sessions/idp/mutant/" + id + "?position=20").statusCode()).isEqualTo(202);

        JsonNode metadata = streamById(runningStreams(server, APP, "idp", "mutant"), id).path("metadata");
        assertThat(metadata.path("deviceName").asText()).isEqualTo("phone");
        assertThat(metadata.path("position").asText()).isEqualTo("20");
        assertThat(metadata.path("channel").asText()).isEqualTo("news");
    }
}

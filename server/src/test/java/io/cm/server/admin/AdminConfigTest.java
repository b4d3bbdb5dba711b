package io.cm.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static io.cm.server.TestServer.json;
import static io.cm.server.http.Api.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §9: the configuration as a whole (GET/PUT with ETag and If-Match) and item by item; an invalid
 * change lists every problem and changes nothing; every change is in the audit trail.
 */
class AdminConfigTest {

    private static TestServer server;
    private static AdminClient admin;

    @BeforeAll
    static void start() {
        server = TestServer.demo(Map.of("CM_ADMIN_TOKEN", AdminClient.TOKEN));
        admin = new AdminClient(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theWholeConfigurationIsReadWithAnEtagInTheFileFormat() {
        HttpResponse<String> response = admin.get("/config");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("ETag")).hasValueSatisfying(tag -> assertThat(tag).matches("\"[0-9a-f]+\""));
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json;charset=utf-8");
        JsonNode config = json(response);
        assertThat(config.at("/tenants/0/id").asText()).isEqualTo("demo");
        assertThat(config.at("/tenants/0/applications/0/id").asText()).isEqualTo("demo-app");
        assertThat(config.at("/streams/0/tokens/0").asText()).isEqualTo("demo-token");
        assertThat(config.path("policies")).extracting(p -> p.path("name").asText())
                .contains("demo-policy", "demo-policy-2", "latest-wins");
    }

    @Test
    void aPutOfTheWholeConfigurationNeedsIfMatch() {
        String body = admin.read("/config").toString();

        assertError(admin.put("/config", body), 428, "PRECONDITION_REQUIRED");
    }

    @Test
    void aPutWithAStaleEtagIsRefusedWith412AndTheCurrentEtag() {
        String stale = admin.etag();
        JsonNode config = admin.read("/config");
        admin.put("/policies/stale-test", "{\"rules\":[{\"type\":\"max-streams\",\"limit\":9}]}");
        String current = admin.etag();

        HttpResponse<String> response = admin.put("/config", config.toString(), "If-Match", stale);

        assertError(response, 412, "PRECONDITION_FAILED");
        assertThat(response.headers().firstValue("ETag")).hasValue(current);
        assertThat(admin.read("/policies/stale-test").at("/rules/0/limit").asInt()).isEqualTo(9);
        assertError(admin.put("/policies/demo-policy-2", "{\"rules\":[{\"type\":\"max-streams\",\"limit\":2}]}",
                "If-Match", stale), 412, "PRECONDITION_FAILED");
        assertThat(admin.delete("/policies/stale-test", "If-Match", current).statusCode()).isEqualTo(204);
    }

    @Test
    void aPutWithTheCurrentEtagReplacesTheConfigurationAndAnswersTheNewEtag() {
        String etag = admin.etag();
        ObjectNode config = (ObjectNode) admin.read("/config");
        ((ObjectNode) config.at("/tenants/0")).put("name", "Renamed demo tenant");

        HttpResponse<String> response = admin.put("/config", config.toString(), "If-Match", etag);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String next = response.headers().firstValue("ETag").orElseThrow();
        assertThat(next).isNotEqualTo(etag).isEqualTo(admin.etag());
        assertThat(admin.read("/tenants/demo").path("name").asText()).isEqualTo("Renamed demo tenant");
        assertThat(admin.put("/config", config.toString(), "If-Match", "*").statusCode()).isEqualTo(200);
    }

    @Test
    void anInvalidPolicyIs400ListingEveryProblemAndChangesNothing() {
        String etag = admin.etag();
        JsonNode before = admin.read("/config");

        JsonNode error = assertError(admin.put("/policies/demo-policy", """
                {"mode":"sometimes","rules":[{"type":"max-streams","limit":0},{"type":"max-per-value","limit":2},
                 {"type":"max-everything","limit":1}]}"""), 400, "INVALID_CONFIG");

        assertThat(error.at("/error/details")).extracting(JsonNode::asText).containsExactly(
                "policies[0].mode: policy demo-policy: unknown conflict mode 'sometimes' (expected LIFO or FIFO)",
                "policies[0].rules[0].limit: policy demo-policy, rule max-streams: limit must be at least 1, was 0",
                "policies[0].rules[1].attribute: policy demo-policy, rule max-per-value: attribute is required",
                "policies[0].rules[2].type: policy demo-policy: unknown rule type 'max-everything' "
                        + "(expected max-streams, max-per-value or max-distinct)");
        assertThat(admin.etag()).isEqualTo(etag);
        assertThat(admin.read("/config")).isEqualTo(before);
        assertThat(server.post("demo-app", "/v2/sessions/idp/invalid-change").statusCode()).isEqualTo(202);
    }

    @Test
    void anInvalidWholeConfigurationIs400AndChangesNothing() {
        String etag = admin.etag();
        ObjectNode config = (ObjectNode) admin.read("/config");
        config.withArray("streams").addObject().put("name", "orphan").put("tenant", "nobody");

        JsonNode error = assertError(admin.put("/config", config.toString(), "If-Match", etag), 400, "INVALID_CONFIG");

        assertThat(error.at("/error/details")).extracting(JsonNode::asText).containsExactly(
                "streams[1].tenant: stream orphan names unknown tenant nobody",
                "streams[1].tokens: stream orphan needs at least one token");
        assertThat(admin.etag()).isEqualTo(etag);
    }

    @Test
    void aBodyThatIsNotJsonOrOfTheWrongShapeIs400() {
        assertError(admin.put("/policies/x", "{not json"), 400, "INVALID_REQUEST");
        assertError(admin.put("/policies/x", "{\"rules\":[{\"type\":\"max-streams\",\"limit\":\"three\"}]}"), 400,
                "INVALID_CONFIG");
        assertError(admin.put("/policies/x", "{\"name\":\"y\",\"rules\":[{\"type\":\"max-streams\",\"limit\":1}]}"),
                400, "INVALID_REQUEST");
        assertError(server.send(admin.request("/policies/x").header("Content-Type", "text/plain")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))), 415, "UNSUPPORTED_MEDIA_TYPE");
        assertError(admin.get("/policies/x"), 404, "NOT_FOUND");
    }

    @Test
    void aPolicyIsCreatedReadReplacedAndDeleted() {
        HttpResponse<String> created = admin.put("/policies/two-devices",
                "{\"rules\":[{\"type\":\"max-distinct\",\"attribute\":\"deviceId\",\"limit\":2}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).path("name").asText()).isEqualTo("two-devices");
        assertThat(created.headers().firstValue("ETag")).hasValue(admin.etag());

        HttpResponse<String> replaced = admin.put("/policies/two-devices",
                "{\"name\":\"two-devices\",\"mode\":\"FIFO\",\"rules\":[{\"type\":\"max-streams\",\"limit\":2}]}");
        assertThat(replaced.statusCode()).isEqualTo(200);
        assertThat(admin.read("/policies/two-devices").path("mode").asText()).isEqualTo("FIFO");

        HttpResponse<String> deleted = admin.delete("/policies/two-devices");
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.headers().firstValue("ETag")).hasValue(admin.etag());
        assertError(admin.get("/policies/two-devices"), 404, "NOT_FOUND");
        assertError(admin.delete("/policies/two-devices"), 404, "NOT_FOUND");
    }

    @Test
    void aPolicyStillReferencedByAnApplicationCannotBeDeleted() {
        JsonNode error = assertError(admin.delete("/policies/latest-wins"), 409, "STILL_REFERENCED");

        assertThat(error.at("/error/message").asText()).contains("demo-app-fifo");
        assertThat(admin.read("/policies/latest-wins").path("name").asText()).isEqualTo("latest-wins");
    }

    @Test
    void tenantsAndTheirApplicationsAreManagedItemByItem() {
        assertThat(admin.put("/tenants/acme", "{\"name\":\"Acme\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> app = admin.put("/tenants/acme/applications/acme-tv",
                "{\"name\":\"Acme TV\",\"platform\":\"tv\",\"policies\":[\"demo-policy\"],\"secret\":\"s3cret-s3cret\"}");
        assertThat(app.statusCode()).as(app.body()).isEqualTo(201);
        assertThat(server.send(server.as("acme-tv", "/v2/sessions/idp/acme-user").setHeader("Authorization",
                TestServer.basic("acme-tv", "s3cret-s3cret")).POST(java.net.http.HttpRequest.BodyPublishers.noBody()))
                .statusCode()).isEqualTo(202);

        assertThat(admin.put("/tenants/acme", "{\"name\":\"Acme Corp\"}").statusCode()).isEqualTo(200);
        assertThat(admin.read("/tenants/acme").at("/applications/0/id").asText())
                .as("a tenant PUT without applications keeps them").isEqualTo("acme-tv");
        assertError(admin.put("/tenants/nobody/applications/x", "{\"policies\":[]}"), 404, "NOT_FOUND");
        assertError(admin.put("/tenants/acme/applications/demo-app", "{\"policies\":[]}"), 400, "INVALID_CONFIG");

        assertThat(admin.delete("/tenants/acme/applications/acme-tv").statusCode()).isEqualTo(204);
        assertThat(server.post("acme-tv", "/v2/sessions/idp/acme-user").statusCode()).isEqualTo(401);
        assertThat(admin.delete("/tenants/acme").statusCode()).isEqualTo(204);
        assertError(admin.get("/tenants/acme"), 404, "NOT_FOUND");
    }

    @Test
    void aTenantStillCarriedByALiveStreamCannotBeDeleted() {
        assertError(admin.delete("/tenants/demo"), 409, "STILL_REFERENCED");
    }

    @Test
    void everyChangeIsInTheAuditTrailWithWhenWhoWhatAndNoSecret() {
        admin.put("/tenants/audited", "{\"applications\":[{\"id\":\"audited-app\",\"policies\":[\"demo-policy\"],"
                + "\"secret\":\"very-secret-value\"}]}");
        admin.put("/streams/audited-stream", "{\"tenant\":\"audited\",\"tokens\":[\"stream-secret-token\"]}");

        HttpResponse<String> response = admin.get("/audit?limit=2");

        assertThat(response.body()).doesNotContain("very-secret-value").doesNotContain("stream-secret-token");
        JsonNode entries = json(response).path("entries");
        assertThat(entries).hasSize(2);
        JsonNode stream = entries.get(0);
        assertThat(stream.path("token").asText()).isEqualTo("admin");
        assertThat(stream.path("action").asText()).isEqualTo("PUT /admin/v1/streams/audited-stream");
        assertThat(stream.path("at").asText()).isEqualTo(server.clock.instant().toString());
        assertThat(stream.path("etag").asText()).isEqualTo(admin.etag());
        assertThat(stream.at("/changes/0/kind").asText()).isEqualTo("stream");
        assertThat(stream.at("/changes/0/change").asText()).isEqualTo("added");
        assertThat(stream.at("/changes/0/after/tokens/0").asText()).isEqualTo("<redacted>");
        assertThat(entries.get(1).path("changes")).extracting(c -> c.path("kind").asText() + " " + c.path("name").asText())
                .containsExactly("tenant audited", "application audited-app");
        assertError(admin.get("/audit?limit=0"), 400, "INVALID_REQUEST");
        admin.delete("/streams/audited-stream");
        admin.delete("/tenants/audited");
    }
}

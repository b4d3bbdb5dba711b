package io.cm.server.admin;

import io.cm.server.TestServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static io.cm.server.http.Api.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/** SPEC §9: who may use the admin API. A bearer token; none configured: the API is off (404). */
class AdminAccessTest {

    private static final List<String> PATHS = List.of("/config", "/policies/demo-policy", "/tenants/demo",
            "/tenants/demo/applications/demo-app", "/streams/demo", "/audit", "/subjects/idp/alice",
            "/reports/usage", "/no-such-thing");

    private static final String FILE_CONFIG = """
            tenants:
              - id: t
                applications:
                  - id: app
                    policies: [p]
            policies:
              - name: p
                rules:
                  - type: max-streams
                    limit: 1
            """;

    @Test
    void withoutATokenOrWithAWrongOneEveryAdminPathAnswers401() {
        try (TestServer server = TestServer.demo(Map.of("CM_ADMIN_TOKEN", AdminClient.TOKEN))) {
            for (String path : PATHS) {
                HttpResponse<String> none = server.send(HttpRequest.newBuilder(server.uri("/admin/v1" + path)).GET());
                assertError(none, 401, "UNAUTHORIZED");
                assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"cm-admin\"");
                assertError(new AdminClient(server, "not-the-admin-token-at-all").get(path), 401, "UNAUTHORIZED");
                assertError(server.send(HttpRequest.newBuilder(server.uri("/admin/v1" + path))
                        .header("Authorization", "Basic " + AdminClient.TOKEN).GET()), 401, "UNAUTHORIZED");
            }
            assertError(new AdminClient(server, "x").put("/policies/demo-policy", "{}"), 401, "UNAUTHORIZED");
            assertThat(new AdminClient(server).get("/config").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withNoTokenConfiguredEveryAdminPathAnswers404WhateverTheMethodOrToken() {
        try (TestServer server = TestServer.withConfig(FILE_CONFIG)) {
            AdminClient client = new AdminClient(server);
            for (String path : PATHS) {
                assertError(client.get(path), 404, "ROUTE_NOT_FOUND");
                assertError(client.delete(path), 404, "ROUTE_NOT_FOUND");
                assertError(client.put(path, "{}"), 404, "ROUTE_NOT_FOUND");
                assertError(server.send(HttpRequest.newBuilder(server.uri("/admin/v1" + path)).GET()), 404,
                        "ROUTE_NOT_FOUND");
            }
            assertThat(Files.exists(server.dataDir().resolve(AdminTokens.FILE))).isFalse();
        }
    }

    @Test
    void theBuiltInDefaultGeneratesATokenKeptOwnerOnlyThatStaysValidAcrossRestarts() throws Exception {
        Map<String, String> embedded = Map.of("CM_STORE", "embedded");
        Path dataDir;
        String token;
        try (TestServer server = TestServer.demo(embedded)) {
            dataDir = server.dataDir();
            Path file = dataDir.resolve(AdminTokens.FILE);
            token = Files.readString(file).trim();
            assertThat(token).hasSizeGreaterThanOrEqualTo(40);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(new AdminClient(server, token).get("/config").statusCode()).isEqualTo(200);
        }
        try (TestServer restarted = TestServer.demo(embedded, dataDir)) {
            assertThat(new AdminClient(restarted, token).get("/config").statusCode()).isEqualTo(200);
            assertError(new AdminClient(restarted, token + "x").get("/config"), 401, "UNAUTHORIZED");
        }
    }

    @Test
    void severalNamedTokensAreEachAcceptedAndTheAuditTrailNamesTheOneUsed() {
        String ops = "ops:ops-token-0123456789abcdef";
        String ci = "ci:ci-token-0123456789abcdef";
        try (TestServer server = TestServer.demo(Map.of("CM_ADMIN_TOKEN", ops + "," + ci))) {
            new AdminClient(server, "ops-token-0123456789abcdef").limit("demo-policy", 2, "LIFO");
            new AdminClient(server, "ci-token-0123456789abcdef").limit("demo-policy", 3, "LIFO");

            assertThat(new AdminClient(server, "ci-token-0123456789abcdef").read("/audit").path("entries"))
                    .extracting(entry -> entry.path("token").asText()).containsExactly("ci", "ops");
        }
    }
}

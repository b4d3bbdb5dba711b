package io.cm.server.http;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Base64;

import static io.cm.server.http.Api.assertError;
import static io.cm.server.http.Api.runningStreams;
import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Session ids (SPEC §2): 404 {@code SESSION_NOT_FOUND} only for an id this service never issued to
 * this application for this subject; 410 for an issued id that has ended.
 */
class SessionIdTest {

    private static final String APP = "demo-app";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aForgedIdIsNotFoundWithTheErrorShape() {
        started(server, APP, "/v2/sessions/idp/forger?deviceId=d1");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[24]);

        for (String id : new String[]{forged, "not-a-session-id", "x"}) {
            assertError(server.post(APP, "/v2/sessions/idp/forger/" + id), 404, "SESSION_NOT_FOUND");
            assertError(server.delete(APP, "/v2/sessions/idp/forger/" + id), 404, "SESSION_NOT_FOUND");
        }
    }

    @Test
    void anIdWithOneFlippedCharacterIsNotFound() {
        String id = started(server, APP, "/v2/sessions/idp/flipper?deviceId=d1");
        char last = id.charAt(id.length() - 1);
        String tampered = id.substring(0, id.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertError(server.post(APP, "/v2/sessions/idp/flipper/" + tampered), 404, "SESSION_NOT_FOUND");
        assertThat(server.post(APP, "/v2/sessions/idp/flipper/" + id).statusCode()).isEqualTo(202);
    }

    @Test
    void aRealIdPresentedForAnotherSubjectIsNotFound() {
        String id = started(server, APP, "/v2/sessions/idp/owner?deviceId=d1");

        assertError(server.post(APP, "/v2/sessions/idp/intruder/" + id), 404, "SESSION_NOT_FOUND");
        assertError(server.delete(APP, "/v2/sessions/idp/intruder/" + id), 404, "SESSION_NOT_FOUND");
        assertError(server.post(APP, "/v2/sessions/other-idp/owner/" + id), 404, "SESSION_NOT_FOUND");

        assertThat(server.post(APP, "/v2/sessions/idp/owner/" + id).statusCode()).isEqualTo(202);
        assertThat(runningStreams(server, APP, "idp", "intruder").path("runningStreams")).isEmpty();
    }

    @Test
    void aRealIdPresentedByAnotherApplicationIsNotFound() {
        String id = started(server, APP, "/v2/sessions/idp/shared?deviceId=d1");

        assertError(server.post("demo-app-fifo", "/v2/sessions/idp/shared/" + id), 404, "SESSION_NOT_FOUND");
        assertError(server.delete("demo-app-fifo", "/v2/sessions/idp/shared/" + id), 404, "SESSION_NOT_FOUND");
        assertError(server.post("demo-app-2", "/v2/sessions/idp/shared/" + id + "?channel=c"), 404,
                "SESSION_NOT_FOUND");

        assertThat(server.post(APP, "/v2/sessions/idp/shared/" + id).statusCode())
                .as("the owner's session is untouched").isEqualTo(202);
    }

    @Test
    void aStoppedIdIsGoneNotNotFound() {
        String id = started(server, APP, "/v2/sessions/idp/stopper?deviceId=d1");
        assertThat(server.delete(APP, "/v2/sessions/idp/stopper/" + id).statusCode()).isEqualTo(202);

        HttpResponse<String> beat = server.post(APP, "/v2/sessions/idp/stopper/" + id);
        assertThat(beat.statusCode()).isEqualTo(410);
        assertThat(beat.body()).isEmpty();
        HttpResponse<String> stop = server.delete(APP, "/v2/sessions/idp/stopper/" + id);
        assertThat(stop.statusCode()).isEqualTo(410);
        assertThat(stop.body()).isEmpty();
    }

    @Test
    void issuedIdsAreDistinctAndCarryNoSlash() {
        String a = started(server, APP, "/v2/sessions/idp/ids?deviceId=d1");
        String b = started(server, APP, "/v2/sessions/idp/ids?deviceId=d2");
        assertThat(a).isNotEqualTo(b).doesNotContain("/");
        assertThat(b).doesNotContain("/");
    }
}

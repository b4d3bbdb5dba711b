package io.cm.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import io.cm.server.http.Api.RawResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;

import static io.cm.server.http.Api.FORM;
import static io.cm.server.http.Api.assertError;
import static io.cm.server.http.Api.assertErrorBody;
import static io.cm.server.http.Api.postForm;
import static io.cm.server.http.Api.runningStreams;
import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bad input of SPEC §2 is a 4xx with the JSON error shape ({@code status}, {@code error.code},
 * {@code error.message}) and {@code Cache-Control: no-store}, and changes nothing stored: each test
 * starts a session, aims the bad request at it, then checks its listing is unchanged and its
 * heartbeat still succeeds.
 */
class BadInputTest {

    private static final String APP = "demo-app";
    private static final AtomicInteger SUBJECTS = new AtomicInteger();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A started session and what runningStreams said of its subject right after. */
    private record Victim(String subject, String id, JsonNode listing) {
        String path() {
            return "/v2/sessions/idp/" + subject + "/" + id;
        }

        String initPath() {
            return "/v2/sessions/idp/" + subject;
        }

        void assertUntouched() {
            assertThat(runningStreams(server, APP, "idp", subject)).as("runningStreams after the bad request")
                    .isEqualTo(listing);
            HttpResponse<String> beat = server.post(APP, path());
            assertThat(beat.statusCode()).as("heartbeat after the bad request: " + beat.body()).isEqualTo(202);
        }
    }

    private static Victim victim() {
        String subject = "victim" + SUBJECTS.incrementAndGet();
        String id = started(server, APP, "/v2/sessions/idp/" + subject + "?deviceId=d1&deviceName=tv");
        return new Victim(subject, id, runningStreams(server, APP, "idp", subject));
    }

    private static HttpResponse<String> heartbeat(Victim v, String query) {
        return server.post(APP, v.path() + "?" + query);
    }

    private static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    private static String raw(String method, String target, String... headers) {
        StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n")
                .append("Authorization: ").append(Api.basic(APP)).append("\r\n");
        for (String header : headers) request.append(header).append("\r\n");
        return request.append("Content-Length: 0\r\nConnection: close\r\n\r\n").toString();
    }

    private static void assertRawError(RawResponse response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Cache-Control")).as(response.toString()).isEqualTo("no-store");
        assertThat(response.header("Content-Type")).as(response.toString()).isNotNull();
        assertThat(response.header("Content-Type").toLowerCase().replace(" ", "")).as(response.toString())
                .isEqualTo("application/json;charset=utf-8");
        assertErrorBody(response.body(), code);
    }

    // ---- routing -------------------------------------------------------------------------------

    @Test
    void anUnknownRouteIsNotFoundWithTheErrorShape() {
        Victim v = victim();
        assertError(server.get(APP, "/v2/nothing-here"), 404, "ROUTE_NOT_FOUND");
        assertError(server.post(APP, v.path() + "/extra"), 404, "ROUTE_NOT_FOUND");
        assertError(server.get(APP, "/not-the-api"), 404, "ROUTE_NOT_FOUND");
        v.assertUntouched();
    }

    @Test
    void aWrongMethodOnAKnownRouteIsMethodNotAllowedWithTheErrorShape() {
        Victim v = victim();
        assertError(server.send(server.as(APP, v.path()).PUT(HttpRequest.BodyPublishers.noBody())), 405, null);
        assertError(server.send(server.as(APP, v.initPath()).PUT(HttpRequest.BodyPublishers.noBody())), 405, null);
        assertError(server.send(server.as(APP, v.initPath()).DELETE()), 405, null);
        assertError(server.send(server.as(APP, "/v2/metadata").POST(HttpRequest.BodyPublishers.noBody())), 405, null);
        v.assertUntouched();
    }

    // ---- authentication ------------------------------------------------------------------------

    private static void assertUnauthorized(HttpResponse<String> response) {
        assertError(response, 401, null);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"cm\"");
    }

    @Test
    void missingOrGarbageAuthorizationIsUnauthorized() {
        Victim v = victim();
        HttpRequest.Builder none = HttpRequest.newBuilder(server.uri(v.path() + "?deviceName=x"))
                .POST(HttpRequest.BodyPublishers.noBody());
        assertUnauthorized(server.send(none));
        for (String garbage : new String[]{"Basic !!!not-base64!!!", "Bearer demo-token", "garbage", "Basic "}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(v.path() + "?deviceName=x"))
                    .header("Authorization", garbage).POST(HttpRequest.BodyPublishers.noBody());
            assertUnauthorized(server.send(request));
            HttpRequest.Builder stop = HttpRequest.newBuilder(server.uri(v.path()))
                    .header("Authorization", garbage).DELETE();
            assertUnauthorized(server.send(stop));
        }
        assertUnauthorized(server.send(HttpRequest.newBuilder(server.uri("/v2/runningStreams/idp/" + v.subject()))));
        v.assertUntouched();
    }

    @Test
    void anUnknownApplicationIsUnauthorized() {
        Victim v = victim();
        assertUnauthorized(server.post("no-such-app", v.path() + "?deviceName=x"));
        assertUnauthorized(server.delete("no-such-app", v.path()));
        assertUnauthorized(server.post("no-such-app", v.initPath() + "?deviceId=d9"));
        assertUnauthorized(server.get("no-such-app", "/v2/runningStreams/idp/" + v.subject()));
        v.assertUntouched();
    }

    // ---- identifiers ---------------------------------------------------------------------------

    @Test
    void anIdpOrSubjectOrSessionIdLongerThan256CharactersIsABadRequest() {
        Victim v = victim();
        String tooLong = repeat('a', 257);
        assertError(server.post(APP, "/v2/sessions/" + tooLong + "/" + v.subject() + "?deviceId=d"), 400, null);
        assertError(server.post(APP, "/v2/sessions/idp/" + tooLong + "?deviceId=d"), 400, null);
        assertError(server.post(APP, "/v2/sessions/idp/" + v.subject() + "/" + tooLong), 400, null);
        assertError(server.delete(APP, "/v2/sessions/idp/" + v.subject() + "/" + tooLong), 400, null);
        assertError(server.get(APP, "/v2/runningStreams/idp/" + tooLong), 400, null);
        v.assertUntouched();

        started(server, APP, "/v2/sessions/" + repeat('i', 256) + "/" + repeat('s', 256) + "?deviceId=d");
    }

    @Test
    void aControlCharacterInAnIdentifierIsABadRequest() {
        Victim v = victim();
        assertError(server.post(APP, "/v2/sessions/idp/bad%01subject?deviceId=d"), 400, null);
        assertError(server.post(APP, "/v2/sessions/i%0Adp/" + v.subject() + "?deviceId=d"), 400, null);
        assertError(server.post(APP, "/v2/sessions/idp/" + v.subject() + "/" + v.id() + "%01"), 400, null);
        assertError(server.get(APP, "/v2/runningStreams/idp/bad%7Fsubject"), 400, null);
        v.assertUntouched();
    }

    // ---- metadata bounds -----------------------------------------------------------------------

    private static String keys(int count) {
        StringBuilder query = new StringBuilder();
        for (int i = 0; i < count; i++) query.append(i == 0 ? "" : "&").append("k").append(i).append("=v");
        return query.toString();
    }

    @Test
    void sixtyFiveMetadataKeysAreABadRequest() {
        Victim v = victim();
        assertError(heartbeat(v, "deviceName=changed&" + keys(64)), 400, null);
        assertError(server.post(APP, v.initPath() + "?" + keys(65)), 400, null);
        v.assertUntouched();

        started(server, APP, "/v2/sessions/idp/sixtyfour?" + keys(64));
    }

    @Test
    void aKeyOf65CharactersIsABadRequest() {
        Victim v = victim();
        assertError(heartbeat(v, "deviceName=changed&" + repeat('k', 65) + "=v"), 400, null);
        assertError(server.post(APP, v.initPath() + "?" + repeat('k', 65) + "=v"), 400, null);
        v.assertUntouched();

        started(server, APP, "/v2/sessions/idp/longkey?" + repeat('k', 64) + "=v");
    }

    @Test
    void aKeyWithACharacterOutsideTheAllowedSetIsABadRequest() {
        Victim v = victim();
        for (String key : new String[]{"a%20b", "k%C3%A9", "a%2Fb", "a%3Ab", "%5Bx%5D"}) {
            assertError(heartbeat(v, "deviceName=changed&" + key + "=v"), 400, null);
            assertError(server.post(APP, v.initPath() + "?" + key + "=v"), 400, null);
        }
        v.assertUntouched();

        started(server, APP, "/v2/sessions/idp/goodkeys?Az09_.-=v");
    }

    @Test
    void aValueOf1025CharactersIsABadRequest() {
        Victim v = victim();
        assertError(heartbeat(v, "deviceName=" + repeat('v', 1025)), 400, null);
        assertError(server.post(APP, v.initPath() + "?deviceId=" + repeat('v', 1025)), 400, null);
        v.assertUntouched();

        started(server, APP, "/v2/sessions/idp/longvalue?deviceId=" + repeat('v', 1024));
    }

    @Test
    void aControlCharacterInAMetadataValueIsABadRequest() {
        Victim v = victim();
        assertError(heartbeat(v, "deviceName=bad%00name"), 400, null);
        v.assertUntouched();
    }

    @Test
    void malformedPercentEncodingInTheQueryIsABadRequest() {
        Victim v = victim();
        assertRawError(Api.raw(server, raw("POST", v.path() + "?a=%zz&deviceName=changed")), 400, null);
        assertRawError(Api.raw(server, raw("POST", v.path() + "?deviceName=%E")), 400, null);
        assertRawError(Api.raw(server, raw("POST", v.initPath() + "?a=%zz")), 400, null);
        v.assertUntouched();
    }

    @Test
    void malformedPercentEncodingInAFormBodyIsABadRequest() {
        Victim v = victim();
        HttpResponse<String> response = server.send(server.as(APP, v.path()).header("Content-Type", FORM)
                .POST(HttpRequest.BodyPublishers.ofString("deviceName=changed&a=%zz")));
        assertError(response, 400, null);
        v.assertUntouched();
    }

    @Test
    void theSameKeyTwiceWithDifferentValuesIsABadRequest() {
        Victim v = victim();
        assertError(heartbeat(v, "deviceName=one&deviceName=two"), 400, null);
        assertError(server.send(server.as(APP, v.path() + "?deviceName=one").header("Content-Type", FORM)
                .POST(HttpRequest.BodyPublishers.ofString("deviceName=two"))), 400, null);
        assertError(server.post(APP, v.initPath() + "?deviceId=one&deviceId=two"), 400, null);
        v.assertUntouched();
    }

    // ---- encodings -----------------------------------------------------------------------------

    @Test
    void invalidUtf8InANameIsABadRequestSoThatTwoInvalidNamesCannotShareOneSubject() {
        assertError(server.post(APP, "/v2/sessions/enc/%ff?deviceId=d1"), 400, "INVALID_REQUEST");
        assertError(server.post(APP, "/v2/sessions/enc/%fe?deviceId=d2"), 400, "INVALID_REQUEST");
        assertError(server.post(APP, "/v2/sessions/%c3%28/alice?deviceId=d3"), 400, "INVALID_REQUEST");
        assertError(server.get(APP, "/v2/runningStreams/enc/%ff"), 400, "INVALID_REQUEST");
        assertThat(runningStreams(server, APP, "enc", "%EF%BF%BD").path("runningStreams")).isEmpty();
        started(server, APP, "/v2/sessions/enc/%C3%A9t%C3%A9?deviceId=d4");
        assertThat(runningStreams(server, APP, "enc", "%C3%A9t%C3%A9").path("runningStreams")).hasSize(1);
    }

    @Test
    void invalidUtf8InMetadataIsABadRequest() {
        Victim v = victim();
        assertError(heartbeat(v, "deviceName=%ff"), 400, "INVALID_REQUEST");
        assertError(postForm(server, APP, v.path(), "deviceName=%fe%ff"), 400, "INVALID_REQUEST");
        v.assertUntouched();
    }

    // ---- bodies --------------------------------------------------------------------------------

    @Test
    void aMultipartBodyIsUnsupportedMediaTypeRatherThanIgnored() {
        Victim v = victim();
        String multipart = "--b\r\nContent-Disposition: form-data; name=deviceName\r\n\r\nchanged\r\n--b--\r\n";
        assertError(server.send(server.as(APP, v.path()).header("Content-Type", "multipart/form-data; boundary=b")
                .POST(HttpRequest.BodyPublishers.ofString(multipart))), 415, "UNSUPPORTED_MEDIA_TYPE");
        assertError(server.send(server.as(APP, v.initPath() + "?deviceId=d2")
                .POST(HttpRequest.BodyPublishers.ofString("deviceName=x"))), 415, "UNSUPPORTED_MEDIA_TYPE");
        v.assertUntouched();
    }

    @Test
    void aBodyThatIsNotAFormIsUnsupportedMediaType() {
        Victim v = victim();
        assertError(server.send(server.as(APP, v.path()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"deviceName\":\"changed\"}"))), 415, null);
        assertError(server.send(server.as(APP, v.initPath()).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("deviceId=d9"))), 415, null);
        v.assertUntouched();
    }

    @Test
    void aBodyOverTheLimitIsPayloadTooLarge() {
        Victim v = victim();
        String body = "deviceName=" + repeat('x', 1024 * 1024);
        HttpResponse<String> response = server.send(server.as(APP, v.path()).header("Content-Type", FORM)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertError(response, 413, null);
        v.assertUntouched();
    }

    // ---- what the HTTP parser itself refuses (raw socket) ------------------------------------

    @Test
    void aRequestLineOverTheServerLimitIsUriTooLongWithTheErrorShape() {
        Victim v = victim();
        RawResponse response = Api.raw(server, raw("POST", v.path() + "?deviceName=" + repeat('x', 20_000)));
        assertRawError(response, 414, null);
        v.assertUntouched();
    }

    @Test
    void headersOverTheServerLimitAreRequestHeaderFieldsTooLargeWithTheErrorShape() {
        Victim v = victim();
        RawResponse response = Api.raw(server, raw("POST", v.path() + "?deviceName=changed",
                "X-Padding: " + repeat('p', 20_000)));
        assertRawError(response, 431, null);
        v.assertUntouched();
    }

    @Test
    void anotherHttpVersionIsVersionNotSupportedWithTheErrorShape() {
        Victim v = victim();
        RawResponse response = Api.raw(server, "POST " + v.path() + "?deviceName=changed HTTP/2.0\r\nHost: x\r\n"
                + "Authorization: " + Api.basic(APP) + "\r\n\r\n");
        assertRawError(response, 505, "HTTP_VERSION_NOT_SUPPORTED");
        assertRawError(Api.raw(server, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505, "HTTP_VERSION_NOT_SUPPORTED");
        v.assertUntouched();
    }

    @Test
    void aBrokenChunkSizeIsABadRequestWithTheErrorShape() {
        Victim v = victim();
        RawResponse response = Api.raw(server, "POST " + v.path() + " HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: " + Api.basic(APP) + "\r\nContent-Type: " + FORM + "\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\ndeviceName=changed\r\n0\r\n\r\n");
        assertRawError(response, 400, "INVALID_REQUEST");
        v.assertUntouched();
    }

    @Test
    void connectIsMethodNotAllowedAndOptionsStarListsTheMethods() {
        RawResponse connect = Api.raw(server, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
                + "Connection: close\r\n\r\n");
        assertRawError(connect, 405, "METHOD_NOT_ALLOWED");
        RawResponse options = Api.raw(server, "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(options.status()).isEqualTo(200);
        assertThat(options.header("Allow")).isEqualTo("GET, POST, DELETE, OPTIONS");
        RawResponse notAPath = Api.raw(server, "GET health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertRawError(notAPath, 400, "INVALID_REQUEST");
    }

    @Test
    void aGarbageRequestLineIsABadRequestWithTheErrorShape() {
        Victim v = victim();
        RawResponse response = Api.raw(server, "this is not http\r\n\r\n");
        assertRawError(response, 400, null);
        RawResponse noVersion = Api.raw(server, "POST " + v.path() + "?deviceName=changed HTTP/x.y\r\n\r\n");
        assertRawError(noVersion, 400, null);
        v.assertUntouched();
    }
}

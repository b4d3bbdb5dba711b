package io.cm.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cm.server.TestServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static io.cm.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Shared steps and assertions of the black-box HTTP tests. */
public final class Api {

    static final String FORM = "application/x-www-form-urlencoded";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Api() {
    }

    /** Init that must be accepted; returns the session id from {@code Location}. */
    public static String started(TestServer server, String app, String path) {
        HttpResponse<String> response = server.post(app, path);
        assertThat(response.statusCode()).as("init %s as %s: %s", path, app, response.body()).isEqualTo(202);
        return response.headers().firstValue("Location").orElseThrow();
    }

    /** POST with an {@code application/x-www-form-urlencoded} body. */
    static HttpResponse<String> postForm(TestServer server, String app, String path, String form) {
        return server.send(server.as(app, path).header("Content-Type", FORM)
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    static JsonNode runningStreams(TestServer server, String app, String idp, String subject) {
        HttpResponse<String> response = server.get(app, "/v2/runningStreams/" + idp + "/" + subject);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    static JsonNode streamById(JsonNode body, String sessionId) {
        for (JsonNode stream : body.path("runningStreams")) {
            if (stream.path("sessionId").asText().equals(sessionId)) return stream;
        }
        throw new AssertionError("no running stream " + sessionId + " in " + body);
    }

    /**
     * The spec's error shape (§2): {@code status} "error", {@code error.code}, {@code error.message},
     * JSON content type and {@code Cache-Control: no-store}; returns the body.
     */
    public static JsonNode assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type.toLowerCase(Locale.ROOT).replace(" ", ""))
                        .isEqualTo("application/json;charset=utf-8"));
        return assertErrorBody(response.body(), code);
    }

    public static JsonNode assertErrorBody(String body, String code) {
        JsonNode json;
        try {
            json = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
        assertThat(json.path("status").asText()).as(body).isEqualTo("error");
        if (code != null) assertThat(json.path("error").path("code").asText()).as(body).isEqualTo(code);
        assertThat(json.path("error").path("code").asText()).as(body).isNotBlank();
        assertThat(json.path("error").path("message").asText()).as(body).isNotBlank();
        return json;
    }

    /** A response read off a raw socket. */
    public record RawResponse(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Sends {@code request} byte for byte (for what {@code java.net.http} refuses to send) and reads
     * one response; the server is expected to answer with a {@code Content-Length} or close.
     */
    public static RawResponse raw(TestServer server, String request) {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException resetWhileWriting) {
                // the server may answer and close before reading all of an oversized request
            }
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RawResponse read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed before the end of the headers: " + head);
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body;
        String length = headers.get("content-length");
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else {
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            try {
                in.transferTo(rest);
            } catch (SocketTimeoutException e) {
                // keep what arrived
            }
            body = rest.toByteArray();
        }
        return new RawResponse(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    static String basic(String app) {
        return TestServer.basic(app, "");
    }
}

package io.cm.client.host;

import io.cm.server.TestServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs real servers ({@link TestServer}) for the client library's tests in a JVM of their own, so that
 * the client's tests can run on Java 17 while the server needs 21. Driven over standard input, one
 * command a line, each answered by one line starting with {@value #ANSWER} on standard output:
 * <pre>
 * start demo              -> @cm port N      the built-in demo configuration
 * start config BASE64     -> @cm port N      a YAML configuration, base64-encoded
 * advance PORT MILLIS     -> @cm ok          moves that server's clock
 * stop PORT               -> @cm ok
 * </pre>
 * Anything else the servers print goes to standard error. The end of standard input (the tests' JVM
 * has ended, however it ended) stops every server and this JVM.
 */
public final class TestServerHost {

    private static final String ANSWER = "@cm ";

    private final Map<Integer, TestServer> servers = new HashMap<>();
    private final PrintStream answers;

    private TestServerHost(PrintStream answers) {
        this.answers = answers;
    }

    public static void main(String[] args) throws Exception {
        PrintStream answers = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err); // the servers' own output must not be taken for answers
        TestServerHost host = new TestServerHost(answers);
        try (BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = commands.readLine(); line != null; line = commands.readLine()) {
                host.run(line.split(" "));
            }
        } finally {
            host.servers.values().forEach(TestServer::close);
        }
        System.exit(0); // server threads that are not daemons must not keep this JVM alive
    }

    private void run(String[] command) {
        try {
            answers.println(ANSWER + switch (command[0]) {
                case "start" -> "port " + started(command[1].equals("demo") ? TestServer.demo()
                        : TestServer.withConfig(new String(Base64.getDecoder().decode(command[2]), StandardCharsets.UTF_8)));
                case "advance" -> {
                    server(command[1]).clock.advance(Duration.ofMillis(Long.parseLong(command[2])));
                    yield "ok";
                }
                case "stop" -> {
                    servers.remove(Integer.parseInt(command[1])).close();
                    yield "ok";
                }
                default -> throw new IllegalArgumentException("unknown command " + command[0]);
            });
        } catch (RuntimeException e) {
            e.printStackTrace();
            answers.println(ANSWER + "error " + e);
        }
    }

    private int started(TestServer server) {
        servers.put(server.port(), server);
        return server.port();
    }

    private TestServer server(String port) {
        TestServer server = servers.get(Integer.parseInt(port));
        if (server == null) throw new IllegalArgumentException("no server on port " + port);
        return server;
    }
}

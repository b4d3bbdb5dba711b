package io.cm.bench;

import io.cm.server.CmServer;
import io.cm.server.config.CommandLineOptions;
import io.cm.server.config.ConfigLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/** What every run shares: our server as runs start it, their {@code key=value} arguments, cleaning up. */
final class BenchServer {

    // Raised to the most a window counts, far above what a run sends per subject or session a minute,
    // so that the phases measure work, not 429s.
    static final Map<String, String> UNTHROTTLED = Map.of(
            "CM_THROTTLING_INITS_PER_WINDOW", "2000000",
            "CM_THROTTLING_SESSION_REQUESTS_PER_WINDOW", "2000000");

    private BenchServer() {
    }

    /** Our server in this process on a free port: the demo configuration, throttles raised, {@code env} on top. */
    static CmServer start(Path dataDir, Map<String, String> env) {
        Map<String, String> environment = new HashMap<>(UNTHROTTLED);
        environment.putAll(env);
        return CmServer.start(ConfigLoader.load(
                new CommandLineOptions(Optional.empty(), OptionalInt.of(0), Optional.of(dataDir)), environment),
                Clock.systemUTC());
    }

    /** A run's arguments, each {@code key=value}. */
    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (equals < 1) throw new IllegalArgumentException("expected key=value, got " + arg);
            options.put(arg.substring(0, equals), arg.substring(equals + 1));
        }
        return options;
    }

    /** Deletes {@code dir} and all it holds (a run's data directory). */
    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(file);
        }
    }
}

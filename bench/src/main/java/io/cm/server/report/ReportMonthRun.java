package io.cm.server.report;

import io.cm.server.CmServer;
import io.cm.server.config.CommandLineOptions;
import io.cm.server.config.ConfigLoader;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * A month of minute-level figures asked over HTTP, end to end (SPEC §10: under 100 ms): our server in
 * this process on a data directory holding {@link DecemberOfMinutes}, the usage report of every
 * minute of it asked {@code rounds} times in JSON and in CSV by one client on loopback, each answer
 * read whole. Prints the fastest, median and slowest time per format.
 * <p>{@code java -cp bench/target/cm-bench.jar io.cm.server.report.ReportMonthRun [rounds=20]}
 */
public final class ReportMonthRun {

    private static final String TOKEN = "report-month-run-admin-token";

    private ReportMonthRun() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0].replace("rounds=", "")) : 20;
        Path dataDir = Files.createTempDirectory("cm-report-month");
        try {
            new ReportSnapshots(dataDir).save(DecemberOfMinutes.figures(), Map.of());
            measure(dataDir, rounds);
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(file);
            }
        }
    }

    private static void measure(Path dataDir, int rounds) throws Exception {
        try (CmServer server = CmServer.start(ConfigLoader.load(new CommandLineOptions(Optional.empty(), OptionalInt.of(0),
                Optional.of(dataDir)), Map.of("CM_ADMIN_TOKEN", TOKEN, "CM_REPORTS_MINUTES", "3650d")), Clock.systemUTC())) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String query = "http://127.0.0.1:" + server.port() + "/admin/v1/reports/usage?from=" + DecemberOfMinutes.FROM
                    + "&to=" + DecemberOfMinutes.TO + "&granularity=minute";
            for (String format : new String[]{"json", "csv"}) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(query + "&format=" + format))
                        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(60)).GET().build();
                long[] millis = new long[rounds];
                long bytes = 0;
                for (int warmup = 0; warmup < 5; warmup++) client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                for (int round = 0; round < rounds; round++) {
                    long started = System.nanoTime();
                    HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    millis[round] = (System.nanoTime() - started) / 1_000_000;
                    if (response.statusCode() != 200) throw new IllegalStateException("answered " + response.statusCode());
                    bytes = response.body().length;
                }
                Arrays.sort(millis);
                System.out.printf("%s: %d minutes, %,d bytes: fastest %d ms, median %d ms, slowest %d ms (%d rounds)%n",
                        format, DecemberOfMinutes.MINUTES, bytes, millis[0], millis[rounds / 2], millis[rounds - 1], rounds);
            }
        }
    }
}

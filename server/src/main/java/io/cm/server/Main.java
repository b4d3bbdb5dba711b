package io.cm.server;

import io.cm.server.config.CommandLineOptions;
import io.cm.server.config.ConfigException;
import io.cm.server.config.ConfigLoader;
import io.cm.server.config.ServerConfig;
import io.cm.server.ops.LogFormats;
import io.cm.server.ops.StartupFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar cm-server.jar [--config FILE] [--port N] [--data-dir DIR] [--host ADDRESS]}. A
 * problem at start-up (bad configuration, port in use, store unreachable, unusable data directory)
 * ends the process with one line on standard error and exit status 2.
 */
@Command(name = "cm-server", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = HashSecret.class,
        description = "Concurrent stream monitoring service. Without --config it runs the built-in demo configuration.")
public final class Main implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final int CANNOT_START = 2;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (env CM_CONFIG)")
    private Path config;

    @Option(names = "--port", paramLabel = "N", description = "HTTP port (env CM_PORT; default 8080)")
    private Integer port;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory of the embedded store (env CM_DATA_DIR; default ./data)")
    private Path dataDir;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to listen on (env CM_HOST; default 0.0.0.0)")
    private String host;

    private final Map<String, String> environment;

    public Main() {
        this(System.getenv());
    }

    /** With {@code environment} in place of the process's (tests). */
    Main(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig serverConfig;
        try {
            serverConfig = ConfigLoader.load(new CommandLineOptions(Optional.ofNullable(config),
                    port == null ? OptionalInt.empty() : OptionalInt.of(port), Optional.ofNullable(dataDir),
                    Optional.ofNullable(host)), environment);
        } catch (ConfigException e) {
            System.err.println("cm-server: bad configuration: " + e.getMessage());
            return CANNOT_START;
        }
        LogFormats.apply(serverConfig.logFormat());
        CmServer server;
        try {
            server = CmServer.start(serverConfig, Clock.systemUTC());
        } catch (RuntimeException e) {
            System.err.println("cm-server: cannot start: " + StartupFailure.describe(e));
            LOG.debug("Start-up failed", e);
            return CANNOT_START;
        }
        LOG.info("cm-server {} listening on {}:{}{}{}{} with {} applications", Version.current(),
                serverConfig.http().host(), server.port(), serverConfig.tls().isPresent() ? " (https)" : "",
                server.plainPort().isPresent() ? " and " + server.plainPort().getAsInt() + " (http)" : "",
                server.managementPort().isPresent() ? " (management port " + server.managementPort().getAsInt() + ")" : "",
                serverConfig.catalog().applications().size());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Shutting down");
            server.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    /** {@code --version}: the version the build stamped into the jar's resources. */
    static final class Version implements CommandLine.IVersionProvider {

        static String current() {
            try (InputStream in = Main.class.getResourceAsStream("/cm-version.properties")) {
                Properties properties = new Properties();
                if (in != null) properties.load(in);
                return properties.getProperty("version", "unknown");
            } catch (IOException e) {
                return "unknown";
            }
        }

        @Override
        public String[] getVersion() {
            return new String[]{"cm-server " + current()};
        }
    }
}

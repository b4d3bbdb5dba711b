package io.cm.server;

import io.cm.server.config.CommandLineOptions;
import io.cm.server.config.ConfigException;
import io.cm.server.config.ConfigLoader;
import io.cm.server.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar cm-server.jar [--config FILE] [--port N] [--data-dir DIR]}. */
@Command(name = "cm-server", mixinStandardHelpOptions = true,
        description = "Concurrent stream monitoring service. Without --config it runs the built-in demo configuration.")
public final class Main implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final int BAD_CONFIG = 2;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (env CM_CONFIG)")
    private Path config;

    @Option(names = "--port", paramLabel = "N", description = "HTTP port (env CM_PORT; default 8080)")
    private Integer port;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory of the embedded store (env CM_DATA_DIR; default ./data)")
    private Path dataDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig serverConfig;
        try {
            serverConfig = ConfigLoader.load(new CommandLineOptions(Optional.ofNullable(config),
                    port == null ? OptionalInt.empty() : OptionalInt.of(port), Optional.ofNullable(dataDir)), System.getenv());
        } catch (ConfigException e) {
            System.err.println("cm-server: bad configuration: " + e.getMessage());
            return BAD_CONFIG;
        }
        CmServer server = CmServer.start(serverConfig, Clock.systemUTC());
        LOG.info("Listening on port {} with {} applications", server.port(), serverConfig.catalog().applications().size());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Shutting down");
            server.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }
}

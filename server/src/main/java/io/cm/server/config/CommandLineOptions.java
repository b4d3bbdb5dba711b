package io.cm.server.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/** What was given on the command line; each one wins over the environment and the file. */
public record CommandLineOptions(Optional<Path> config, OptionalInt port, Optional<Path> dataDir, Optional<String> host) {

    public static final CommandLineOptions NONE = new CommandLineOptions(Optional.empty(), OptionalInt.empty(), Optional.empty());

    public CommandLineOptions(Optional<Path> config, OptionalInt port, Optional<Path> dataDir) {
        this(config, port, dataDir, Optional.empty());
    }
}

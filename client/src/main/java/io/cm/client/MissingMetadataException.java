package io.cm.client;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A start was refused (400) because metadata the application's policies need was not sent: the
 * service's {@code refresh} obligation. {@link #missing()} names the keys; the client has also
 * dropped its cached {@link ConcurrencyClient#requiredMetadata()}, since the policies have changed.
 */
public final class MissingMetadataException extends ConcurrencyException {

    /** The keys the service named. */
    private final List<String> missing;

    MissingMetadataException(String message, List<String> missing) {
        super(message, OptionalInt.of(400), Optional.of("METADATA_MISSING"), null);
        this.missing = List.copyOf(missing);
    }

    /**
     * The metadata keys to add to the start.
     *
     * @return the keys the service named in its {@code refresh} obligation
     */
    public List<String> missing() {
        return missing;
    }
}

package io.cm.server.events;

/**
 * Visitor (idp, subject) → partition. Stable across processes and restarts, since stored records
 * and positions depend on it: {@link String#hashCode()} is specified by the platform, and the
 * murmur3 finaliser spreads similar ids ({@code user-1}, {@code user-2}, …) over the partitions.
 */
final class VisitorPartitioner {

    private final int partitions;

    VisitorPartitioner(int partitions) {
        this.partitions = partitions;
    }

    int partition(String idp, String subject) {
        int h = 31 * idp.hashCode() + subject.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Math.floorMod(h, partitions);
    }
}

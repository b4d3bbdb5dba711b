package io.cm.server.events;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Which live connection of a stream owns each partition (connections named by id, {@link #NONE}
 * when a stream has none). Immutable. Partitions are spread as evenly as possible — counts differ
 * by at most one, the earliest connections taking the extra ones — and a rebalance leaves a
 * partition with its owner whenever the owner stays within its share, so that connections coming
 * and going move (and replay) as few partitions as possible. All events of a visitor are in one
 * partition, so they all go to the partition's one owner.
 */
public final class PartitionAssignment {

    public static final long NONE = 0;

    private final long[] owners;

    private PartitionAssignment(long[] owners) {
        this.owners = owners;
    }

    static PartitionAssignment unassigned(int partitions) {
        return new PartitionAssignment(new long[partitions]);
    }

    /** Spreads the partitions over {@code members}, given in the order they joined. */
    PartitionAssignment rebalance(List<Long> members) {
        int n = members.size();
        long[] next = new long[owners.length];
        if (n == 0) return new PartitionAssignment(next);
        int[] shares = IntStream.range(0, n).map(i -> owners.length / n + (i < owners.length % n ? 1 : 0)).toArray();
        int[] counts = new int[n];
        for (int p = 0; p < owners.length; p++) {
            int member = members.indexOf(owners[p]);
            if (owners[p] != NONE && member >= 0 && counts[member] < shares[member]) {
                next[p] = owners[p];
                counts[member]++;
            }
        }
        int member = 0;
        for (int p = 0; p < owners.length; p++) {
            if (next[p] != NONE) continue;
            while (counts[member] == shares[member]) member++;
            next[p] = members.get(member);
            counts[member]++;
        }
        return new PartitionAssignment(next);
    }

    /** {@code successor} takes over exactly the partitions of {@code replaced}. */
    PartitionAssignment replace(long replaced, long successor) {
        long[] next = owners.clone();
        for (int p = 0; p < next.length; p++) {
            if (next[p] == replaced) next[p] = successor;
        }
        return new PartitionAssignment(next);
    }

    long owner(int partition) {
        return owners[partition];
    }

    int[] partitionsOf(long member) {
        return IntStream.range(0, owners.length).filter(p -> owners[p] == member).toArray();
    }
}

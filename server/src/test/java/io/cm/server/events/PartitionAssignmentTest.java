package io.cm.server.events;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Spreading a stream's partitions over its live connections, and keeping them put when possible. */
class PartitionAssignmentTest {

    private static final int PARTITIONS = 16;

    @Test
    void everyPartitionHasExactlyOneOwnerAndSharesDifferByAtMostOne() {
        for (int n = 1; n <= 8; n++) {
            List<Long> members = ids(n);
            PartitionAssignment assignment = PartitionAssignment.unassigned(PARTITIONS).rebalance(members);

            List<Integer> counts = members.stream().map(m -> assignment.partitionsOf(m).length).toList();
            assertThat(counts.stream().mapToInt(Integer::intValue).sum()).as("%d members", n).isEqualTo(PARTITIONS);
            assertThat(counts.stream().mapToInt(Integer::intValue).max().orElseThrow()
                    - counts.stream().mapToInt(Integer::intValue).min().orElseThrow()).as("%d members", n).isLessThanOrEqualTo(1);
            IntStream.range(0, PARTITIONS).forEach(p -> assertThat(members).contains(assignment.owner(p)));
        }
    }

    @Test
    void aJoiningConnectionTakesPartitionsOnlyFromThoseAboveTheirNewShare() {
        PartitionAssignment two = PartitionAssignment.unassigned(PARTITIONS).rebalance(ids(2));
        PartitionAssignment three = two.rebalance(ids(3));

        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(three.owner(p)).as("partition %d moved to another old member", p).isIn(two.owner(p), 3L);
        }
        assertThat(three.partitionsOf(3)).hasSize(PARTITIONS / 3);
    }

    @Test
    void aLeavingConnectionsPartitionsAloneMove() {
        PartitionAssignment three = PartitionAssignment.unassigned(PARTITIONS).rebalance(ids(3));
        PartitionAssignment withoutSecond = three.rebalance(List.of(1L, 3L));

        for (int p = 0; p < PARTITIONS; p++) {
            if (three.owner(p) != 2L) assertThat(withoutSecond.owner(p)).as("partition %d", p).isEqualTo(three.owner(p));
        }
        assertThat(withoutSecond.partitionsOf(1)).hasSize(PARTITIONS / 2);
        assertThat(withoutSecond.partitionsOf(3)).hasSize(PARTITIONS / 2);
    }

    @Test
    void aReplacementTakesExactlyThePartitionsOfTheConnectionItReplaces() {
        PartitionAssignment two = PartitionAssignment.unassigned(PARTITIONS).rebalance(ids(2));
        PartitionAssignment replaced = two.replace(2L, 9L);

        assertThat(replaced.partitionsOf(9)).containsExactly(two.partitionsOf(2));
        assertThat(replaced.partitionsOf(1)).containsExactly(two.partitionsOf(1));
        assertThat(replaced.partitionsOf(2)).isEmpty();
    }

    @Test
    void withoutMembersNoPartitionHasAnOwner() {
        PartitionAssignment none = PartitionAssignment.unassigned(PARTITIONS).rebalance(ids(4)).rebalance(List.of());

        assertThat(none.partitionsOf(PartitionAssignment.NONE)).hasSize(PARTITIONS);
    }

    /** Members 1..n in the order they joined. */
    private static List<Long> ids(int n) {
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= n; id++) ids.add(id);
        return ids;
    }
}

package io.cm.server.events;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Visitor → partition: stored records and positions depend on it, so it must never change. */
class VisitorPartitionerTest {

    @Test
    void aVisitorsPartitionIsTheSameInEveryProcess() {
        // Pinned values: a different result means logs written before would be read as scattered.
        VisitorPartitioner sixteen = new VisitorPartitioner(16);
        assertThat(sixteen.partition("idp1", "alice")).isEqualTo(15);
        assertThat(sixteen.partition("idp1", "bob")).isEqualTo(1);
    }

    @Test
    void similarVisitorsSpreadOverEveryPartition() {
        VisitorPartitioner partitioner = new VisitorPartitioner(16);
        int[] counts = new int[16];
        IntStream.range(0, 1600).forEach(i -> counts[partitioner.partition("idp", "user-" + i)]++);

        assertThat(IntStream.of(counts).boxed()).allSatisfy(count -> assertThat(count).isBetween(50, 150));
    }

    @Test
    void theIdpIsPartOfTheVisitor() {
        VisitorPartitioner partitioner = new VisitorPartitioner(16);
        long distinct = IntStream.range(0, 64).map(i -> partitioner.partition("idp-" + i, "alice")).distinct().count();

        assertThat(distinct).isGreaterThan(8);
    }
}

package io.cm.client;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The memory of delivered {@code hit_id}s is bounded: it forgets the least recently seen first. */
class RecentHitIdsTest {

    @Test
    void aRepeatAmongTheLastCapacityIdsIsRecognised() {
        RecentHitIds seen = new RecentHitIds(3);
        seen.firstTime("a");
        seen.firstTime("b");
        seen.firstTime("c");

        assertThat(seen.firstTime("a")).isFalse();
    }

    @Test
    void beyondCapacityTheLeastRecentlySeenIdIsForgotten() {
        RecentHitIds seen = new RecentHitIds(2);
        seen.firstTime("a");
        seen.firstTime("b");
        seen.firstTime("c");

        assertThat(seen.firstTime("a")).as("forgotten, so taken for new").isTrue();
        assertThat(seen.firstTime("c")).isFalse();
    }
}

package io.cm.core.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestWindowTest {

    private static final RequestLimit TWO_PER_SECOND = new RequestLimit(2, 1_000);

    @Test
    void aWindowTakesUpToItsLimitThenHasNoRoomUntilItEnds() {
        RequestWindow window = RequestWindow.first(10_000).take(10_500, TWO_PER_SECOND);

        assertThat(window).isEqualTo(new RequestWindow(10_000, 2));
        assertThat(window.hasRoom(10_999, TWO_PER_SECOND)).isFalse();
        assertThat(window.end(TWO_PER_SECOND)).isEqualTo(11_000);
        assertThat(window.hasRoom(11_000, TWO_PER_SECOND)).isTrue();
    }

    @Test
    void aWindowThatPassedRestartsAtTheLastBoundarySoWindowsKeepTheirPhase() {
        RequestWindow window = RequestWindow.first(10_000).take(13_700, TWO_PER_SECOND);

        assertThat(window).isEqualTo(new RequestWindow(13_000, 1));
    }

    @Test
    void takingFromASpentWindowIsABug() {
        RequestWindow spent = new RequestWindow(0, 2);

        assertThatThrownBy(() -> spent.take(500, TWO_PER_SECOND)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aPackedWindowUnpacksToItself() {
        RequestWindow window = new RequestWindow(1_798_761_600_123L, RequestLimit.MAX_PER_WINDOW);

        assertThat(RequestWindow.unpacked(window.packed())).isEqualTo(window);
    }

    @Test
    void limitsBeyondWhatAPackedWindowCountsAreRefused() {
        assertThatThrownBy(() -> new RequestLimit(RequestLimit.MAX_PER_WINDOW + 1, 1_000))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

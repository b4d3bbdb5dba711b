package io.cm.core.session;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MetadataKeysTest {

    private final MetadataKeys keys = new MetadataKeys(3);

    @Test
    void equalKeysOfTwoMapsBecomeOneInstanceAndValuesStayAsTheyAre() {
        Map<String, String> first = keys.shared(Map.of(new String("deviceId"), "tv"));
        Map<String, String> second = keys.shared(Map.of(new String("deviceId"), "phone"));

        assertThat(first.keySet().iterator().next()).isSameAs(second.keySet().iterator().next());
        assertThat(first).isEqualTo(Map.of("deviceId", "tv"));
        assertThat(second).isEqualTo(Map.of("deviceId", "phone"));
    }

    @Test
    void pastTheBoundNewKeysAreKeptAsTheyCome() {
        for (int i = 0; i < 3; i++) keys.shared("filler-" + i);
        String late = new String("late-key");

        assertThat(keys.shared(late)).isSameAs(late);
        assertThat(keys.shared(new String("late-key"))).isNotSameAs(late);
    }
}

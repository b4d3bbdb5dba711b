package io.cm.core.session;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TerminationCodesTest {

    @Test
    void codesAreSixCharactersWithoutLookAlikes() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(TerminationCodes.newCode(List.of())).matches("[A-HJ-NP-Z2-9]{6}");
        }
    }

    @Test
    void codesAreRandom() {
        Set<String> codes = new HashSet<>();
        for (int i = 0; i < 1_000; i++) codes.add(TerminationCodes.newCode(List.of()));

        assertThat(codes).hasSizeGreaterThan(990);
    }

    @Test
    void aNewCodeDiffersFromEveryActiveSessionsCode() {
        List<Session> active = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String code = TerminationCodes.newCode(active);
            assertThat(active).extracting(Session::terminationCode).doesNotContain(code);
            active.add(new Session("s" + i, code, "app", 0, 0, 1, Map.of()));
        }
    }
}

package io.cm.core.session;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SessionIdsTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final SubjectKey ALICE = new SubjectKey("idp", "alice");
    private static final String URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final SessionIds ids = new SessionIds(SECRET);

    @Test
    void issuedIdIsRecognisedForItsApplicationAndSubject() {
        String id = ids.issue("app", ALICE);

        assertThat(ids.isIssued("app", ALICE, id)).isTrue();
    }

    @Test
    void idsAreUniqueUrlSafeAndOfFixedLength() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            String id = ids.issue("app", ALICE);
            assertThat(id).hasSize(32);
            assertThat(id.chars()).allMatch(c -> URL_SAFE.indexOf(c) >= 0);
            seen.add(id);
        }
        assertThat(seen).hasSize(1_000);
    }

    @Test
    void anIdWithAnyOneCharacterAlteredIsNotRecognised() {
        String id = ids.issue("app", ALICE);
        for (int i = 0; i < id.length(); i++) {
            char replacement = id.charAt(i) == 'A' ? 'B' : 'A';
            String altered = id.substring(0, i) + replacement + id.substring(i + 1);
            assertThat(ids.isIssued("app", ALICE, altered)).as("altered at %d: %s", i, altered).isFalse();
        }
    }

    @Test
    void aForgedIdIsNotRecognised() {
        assertThat(ids.isIssued("app", ALICE, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).isFalse();
        assertThat(ids.isIssued("app", ALICE, "abcdefghijklmnopqrstuvwxyz012345")).isFalse();
    }

    @Test
    void malformedIdsAreNotRecognisedAndNeverThrow() {
        String id = ids.issue("app", ALICE);
        List<String> malformed = List.of("", "x", id.substring(1), id + "A", id.substring(0, 31) + "=",
                id.substring(0, 30) + "==", id.substring(0, 28) + "====", id.substring(0, 31) + "+",
                id.substring(0, 31) + "/", id.substring(0, 31) + "!", id.substring(0, 31) + "é",
                "                                ", id.toUpperCase(), id.replace('-', '+').replace('_', '/'));
        for (String candidate : malformed) {
            if (candidate.equals(id)) continue;
            assertThat(ids.isIssued("app", ALICE, candidate)).as("'%s'", candidate).isFalse();
        }
    }

    @Test
    void anIdIsNotRecognisedForAnotherSubjectIdpOrApplication() {
        String id = ids.issue("app", ALICE);

        assertThat(ids.isIssued("app", new SubjectKey("idp", "bob"), id)).isFalse();
        assertThat(ids.isIssued("app", new SubjectKey("other-idp", "alice"), id)).isFalse();
        assertThat(ids.isIssued("other-app", ALICE, id)).isFalse();
    }

    @Test
    void fieldBoundariesAreSignedSoShiftingCharactersBetweenIdpAndSubjectDoesNotVerify() {
        String id = ids.issue("app", new SubjectKey("ab", "c"));

        assertThat(ids.isIssued("app", new SubjectKey("a", "bc"), id)).isFalse();
        assertThat(ids.isIssued("appa", new SubjectKey("b", "c"), id)).isFalse();
    }

    @Test
    void anIdIssuedUnderADifferentSecretIsRejected() {
        SessionIds otherKey = new SessionIds("another secret of enough bytes!!".getBytes(StandardCharsets.UTF_8));
        String id = otherKey.issue("app", ALICE);

        assertThat(ids.isIssued("app", ALICE, id)).isFalse();
        assertThat(otherKey.isIssued("app", ALICE, id)).isTrue();
    }

    @Test
    void anotherInstanceWithTheSameSecretRecognisesTheIds() {
        String id = ids.issue("app", ALICE);

        assertThat(new SessionIds(SECRET.clone()).isIssued("app", ALICE, id)).isTrue();
    }

    @Test
    void theSecretIsCopiedSoLaterChangesToTheArrayDoNotAffectVerification() {
        byte[] secret = SECRET.clone();
        SessionIds own = new SessionIds(secret);
        String id = own.issue("app", ALICE);

        secret[0] ^= 1;

        assertThat(own.isIssued("app", ALICE, id)).isTrue();
    }

    @Test
    void aSecretShorterThanSixteenBytesIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new SessionIds(new byte[15]));
    }

    @Test
    void issueAndVerifyAreSafeFromManyThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    SubjectKey subject = new SubjectKey("idp", "user" + thread);
                    for (int i = 0; i < 2_000; i++) {
                        String id = ids.issue("app", subject);
                        if (!ids.isIssued("app", subject, id) || ids.isIssued("app", ALICE, id)) return false;
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) assertThat(result.get(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }
}

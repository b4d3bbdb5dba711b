package io.cm.server.store.embedded;

import io.cm.core.ManualClock;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.server.config.ServerConfig.Fsync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.cm.server.store.embedded.JournalFixture.ALICE;
import static io.cm.server.store.embedded.JournalFixture.BOB;
import static io.cm.server.store.embedded.JournalFixture.TIMINGS;
import static io.cm.server.store.embedded.JournalFixture.await;
import static io.cm.server.store.embedded.JournalFixture.open;
import static io.cm.server.store.embedded.JournalFixture.put;
import static io.cm.server.store.embedded.JournalFixture.read;
import static io.cm.server.store.embedded.JournalFixture.session;
import static io.cm.server.store.embedded.JournalFixture.sessions;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A crash (kill -9) at any point of a compaction leaves a directory that a restart replays to what was
 * acknowledged. The crash is the directory copied as it stands at a step: everything written had
 * reached the OS, which is all a killed process leaves behind. Changes are made while the snapshot is
 * under way, before and after it reads the states.
 */
class CompactionCrashTest {

    private static final SubjectKey CAROL = new SubjectKey("idp", "carol");
    private static final List<SubjectKey> SUBJECTS = List.of(ALICE, BOB, CAROL);

    @TempDir
    Path dir;

    @TempDir
    Path crashed;

    private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(0));
    private JournalSessionStore store;
    private final Map<SubjectKey, List<String>> acknowledged = new HashMap<>();

    private void copyTo(Path target) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                if (!file.getFileName().toString().equals("lock")) Files.copy(file, target.resolve(file.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (SubjectKey subject : SUBJECTS) acknowledged.put(subject, ids(read(store, subject)));
    }

    private static List<String> ids(SubjectSessions state) {
        return state.active().stream().map(Session::id).toList();
    }

    /** Compacts a journal of three subjects, changing them mid-way, and copies the directory at {@code crashAt}. */
    private void compactCrashingAt(CompactionStep crashAt) {
        try (JournalSessionStore first = open(dir, clock)) {
            put(first, ALICE, sessions(session("a1", 0)));
            put(first, BOB, sessions(session("b1", 0)));
            put(first, CAROL, sessions(session("c1", 0)));
        }
        CompactionStep.Observer observer = step -> {
            switch (step) {
                case ROLLED -> put(store, BOB, sessions(session("b1", 0), session("b2", 0)));
                case SNAPSHOT_WRITTEN -> {
                    put(store, ALICE, sessions(session("a2", 0)));
                    put(store, CAROL, SubjectSessions.EMPTY);
                }
                default -> { }
            }
            if (step == crashAt) copyTo(crashed);
        };
        store = JournalSessionStore.open(dir, JournalSettings.of(Fsync.INTERVAL), TIMINGS, clock, observer);
        try {
            put(store, ALICE, sessions(session("a1", 0), session("a1b", 0)));
            await(store.compact());
        } finally {
            store.close();
        }
    }

    private void assertRestartRestoresWhatWasAcknowledged() {
        try (JournalSessionStore restarted = open(crashed, clock)) {
            for (SubjectKey subject : SUBJECTS) {
                assertThat(ids(read(restarted, subject))).as(subject.subject()).isEqualTo(acknowledged.get(subject));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CompactionStep.class)
    void aCrashAtAnyStepOfACompactionRestartsWithWhatWasAcknowledged(CompactionStep step) {
        compactCrashingAt(step);

        assertRestartRestoresWhatWasAcknowledged();
    }

    @Test
    void aCrashWhileTheSnapshotIsBeingWrittenRestartsWithWhatWasAcknowledged() throws IOException {
        compactCrashingAt(CompactionStep.SNAPSHOT_WRITTEN);
        try (Stream<Path> files = Files.list(crashed)) {
            Path temporary = files.filter(f -> f.toString().endsWith(".tmp")).findFirst().orElseThrow();
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.truncate(channel.size() / 2);
            }
        }

        assertRestartRestoresWhatWasAcknowledged();
    }

    @Test
    void aCompactedJournalReplaysTheChangesMadeDuringTheSnapshot() {
        compactCrashingAt(CompactionStep.REPLACED_FILES_REMOVED);

        assertThat(acknowledged).containsEntry(ALICE, List.of("a2")).containsEntry(BOB, List.of("b1", "b2"))
                .containsEntry(CAROL, List.of());
        assertRestartRestoresWhatWasAcknowledged();
    }
}

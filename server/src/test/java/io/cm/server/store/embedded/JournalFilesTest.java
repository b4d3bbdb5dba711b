package io.cm.server.store.embedded;

import io.cm.core.ManualClock;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.StoreUnavailableException;
import io.cm.server.config.ServerConfig.Fsync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static io.cm.server.store.embedded.JournalFixture.ALICE;
import static io.cm.server.store.embedded.JournalFixture.BOB;
import static io.cm.server.store.embedded.JournalFixture.await;
import static io.cm.server.store.embedded.JournalFixture.open;
import static io.cm.server.store.embedded.JournalFixture.put;
import static io.cm.server.store.embedded.JournalFixture.read;
import static io.cm.server.store.embedded.JournalFixture.session;
import static io.cm.server.store.embedded.JournalFixture.sessions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The journal's files: a torn or damaged tail, replay across segments, snapshots that replace segments. */
class JournalFilesTest {

    private static final SubjectKey CAROL = new SubjectKey("idp", "carol");

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(0));

    private List<String> files(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
        }
    }

    private Path lastSegment() throws IOException {
        return dir.resolve(files(".segment").getLast());
    }

    private static List<String> ids(SubjectSessions state) {
        return state.active().stream().map(Session::id).toList();
    }

    /** Alice, Bob and Carol with one session each, Carol's written last. */
    private void threeSubjects() {
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, sessions(session("a", 0)));
            put(store, BOB, sessions(session("b", 0)));
            put(store, CAROL, sessions(session("c", 0)));
        }
    }

    @Test
    void aTornLastRecordIsCutAndEveryRecordBeforeItIsRestored() throws IOException {
        threeSubjects();
        Path segment = lastSegment();
        long whole = Files.size(segment);
        // A frame announcing 200 bytes of which only 10 reached the file: the crash came mid-write.
        Files.write(segment, ByteBuffer.allocate(18).putInt(200).putInt(12345).array(), StandardOpenOption.APPEND);

        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(ids(read(store, ALICE))).containsExactly("a");
            assertThat(ids(read(store, CAROL))).containsExactly("c");
            assertThat(Files.size(segment)).as("cut back to its last good record").isEqualTo(whole);
            put(store, BOB, sessions(session("b2", 0)));
        }
        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(ids(read(store, BOB))).as("written after the cut, read past it").containsExactly("b2");
        }
    }

    @Test
    void aLastRecordWhoseChecksumFailsEndsTheReplayOfItsSegment() throws IOException {
        threeSubjects();
        Path segment = lastSegment();
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long lastByte = channel.size() - 1;
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, lastByte);
            channel.write(ByteBuffer.wrap(new byte[]{(byte) (one.get(0) ^ 0x01)}), lastByte);
        }

        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(ids(read(store, ALICE))).containsExactly("a");
            assertThat(ids(read(store, BOB))).containsExactly("b");
            assertThat(read(store, CAROL).isEmpty()).as("the damaged record").isTrue();
        }
    }

    @Test
    void anImpossibleLengthEndsTheReplayOfItsSegmentButNotOfTheNextOnes() throws IOException {
        threeSubjects();
        Path first = lastSegment();
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, CAROL, sessions(session("c2", 0)));
        }
        Files.write(first, ByteBuffer.allocate(8).putInt(-1).putInt(0).array(), StandardOpenOption.APPEND);

        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(ids(read(store, ALICE))).containsExactly("a");
            assertThat(ids(read(store, CAROL))).containsExactly("c2");
        }
    }

    @Test
    void aFileThatIsNotAJournalStopsTheStartWithItsName() throws IOException {
        threeSubjects();
        Path segment = lastSegment();
        Files.write(segment, "not a journal".getBytes());

        assertThatThrownBy(() -> open(dir, clock))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(segment.toString())
                .hasMessageContaining("is not a session journal file");
    }

    @Test
    void eachStartWritesANewSegmentAndSegmentsWithNoRecordsAreRemoved() throws IOException {
        threeSubjects();
        List<String> afterFirstRun = files(".segment");
        try (JournalSessionStore ignored = open(dir, clock)) {
            assertThat(files(".segment")).hasSize(2).startsWith(afterFirstRun.getFirst());
        }
        try (JournalSessionStore ignored = open(dir, clock)) {
            assertThat(files(".segment")).as("the empty one of the run before is gone").hasSize(2);
        }
    }

    @Test
    void aSnapshotReplacesTheSegmentsBeforeItAndReplaysToTheSameStates() throws IOException {
        threeSubjects();
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, SubjectSessions.EMPTY);
            put(store, BOB, sessions(session("b", 0), session("b2", 0)));
            List<String> before = files(".segment");

            await(store.compact());

            assertThat(files(".snapshot")).hasSize(1);
            assertThat(files(".segment")).as("only the one written from the snapshot on").hasSize(1)
                    .doesNotContainAnyElementsOf(before);
            put(store, CAROL, sessions(session("c2", 0)));
        }

        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(read(store, ALICE).isEmpty()).isTrue();
            assertThat(ids(read(store, BOB))).containsExactly("b", "b2");
            assertThat(ids(read(store, CAROL))).containsExactly("c2");
            assertThat(store.activeSessions()).isEqualTo(3);
        }
    }

    @Test
    void theJournalSnapshotsByItselfSoThatTheDiskHoldsTheActiveSessionsNotTheHistory() throws IOException {
        int threshold = 16 * 1024;
        JournalSettings smallSnapshots = new JournalSettings(Fsync.NEVER, Duration.ofSeconds(1), threshold);
        try (JournalSessionStore store = open(dir, clock, smallSnapshots)) {
            long history = 0;
            for (int i = 0; i < 3_000; i++) {
                long before = store.diskBytes();
                put(store, new SubjectKey("idp", "s" + (i % 10)), sessions(session("n" + i, 0)));
                history += Math.max(0, store.diskBytes() - before);
                await(store.lastCompaction()); // one at a time, so that the bound below is exact
            }

            assertThat(files(".snapshot")).hasSize(1);
            assertThat(history).isGreaterThan(10L * threshold);
            assertThat(store.diskBytes()).as("a snapshot of 10 sessions plus less than one threshold of segments")
                    .isLessThan(threshold + 2 * 1024);
        }
        try (JournalSessionStore store = open(dir, clock, smallSnapshots)) {
            for (int i = 0; i < 10; i++) {
                assertThat(ids(read(store, new SubjectKey("idp", "s" + i)))).containsExactly("n" + (2_990 + i));
            }
        }
    }

    @Test
    void aJournalThatOutgrewItsSnapshotAtStartIsCompactedWithoutWaitingForAWrite() throws IOException {
        threeSubjects();
        JournalSettings tiny = new JournalSettings(Fsync.INTERVAL, Duration.ofSeconds(1), 1);

        try (JournalSessionStore store = open(dir, clock, tiny)) {
            await(store.flush());
            await(store.lastCompaction());

            assertThat(files(".snapshot")).hasSize(1);
            assertThat(ids(read(store, CAROL))).containsExactly("c");
        }
    }

    @Test
    void aFailedSnapshotLeavesTheSegmentsAndTheJournalServing() throws IOException {
        threeSubjects();
        CompactionStep.Observer failing = step -> {
            if (step == CompactionStep.SNAPSHOT_WRITTEN) throw new IllegalStateException("disk full");
        };
        try (JournalSessionStore store = JournalSessionStore.open(dir, JournalSettings.of(Fsync.INTERVAL),
                JournalFixture.TIMINGS, clock, failing)) {
            assertThatThrownBy(() -> await(store.compact())).hasMessageContaining("disk full");

            assertThat(files(".snapshot")).isEmpty();
            assertThat(files(".tmp")).isEmpty();
            assertThat(store.healthy()).isTrue();
            put(store, ALICE, sessions(session("a2", 0)));
        }
        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(ids(read(store, ALICE))).containsExactly("a2");
            assertThat(ids(read(store, BOB))).containsExactly("b");
        }
    }

    @Test
    void aJournalThatCannotWriteRefusesEveryLaterChangeAndIsNotReady() throws IOException {
        threeSubjects();
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, sessions(session("a2", 0)));
            Path next = dir.resolve(files(".segment").getLast().replace("2.segment", "3.segment"));
            Files.createDirectory(next); // the segment the journal rolls to cannot be created

            assertThatThrownBy(() -> await(store.compact())).hasCauseInstanceOf(StoreUnavailableException.class);
            assertThat(store.healthy()).isFalse();
            assertThatThrownBy(() -> put(store, BOB, sessions(session("b2", 0))))
                    .hasCauseInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("cannot be written");
            Files.delete(next);
        }
        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(ids(read(store, ALICE))).as("acknowledged before the failure").containsExactly("a2");
            assertThat(store.healthy()).isTrue();
        }
    }

    @Test
    void anUnfinishedSnapshotIsIgnoredAndRemoved() throws IOException {
        threeSubjects();
        Files.write(dir.resolve("0000000000000000009.snapshot.tmp"), new byte[]{1, 2, 3});

        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(ids(read(store, BOB))).containsExactly("b");
            assertThat(files(".tmp")).isEmpty();
        }
    }

    @Test
    void timeMovedOnDoesNotChangeWhatIsReplayed() {
        threeSubjects();
        clock.advance(Duration.ofMinutes(5));

        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(store.activeSessions()).isEqualTo(3);
        }
    }
}

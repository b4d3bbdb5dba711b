package io.cm.client;

import io.cm.client.example.PlayerConflictFlow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example program {@link PlayerConflictFlow}, run as a user would (its {@code main}, answers on
 * standard input), against the real server on the demo configuration (3 streams per subscriber),
 * where the subscriber already watches on three other devices.
 */
class PlayerConflictFlowTest {

    private final RealServer server = Fixtures.demoServer();
    private final InputStream stdin = System.in;
    private final PrintStream stdout = System.out;
    /** The subscriber's other devices. */
    @RegisterExtension
    final ManualTimeClient otherDevices = ManualTimeClient.of(server, "demo-app");
    private final ConcurrencyClient devices = otherDevices.client;
    private final ManualScheduler scheduler = otherDevices.scheduler;

    @AfterEach
    void restore() {
        System.setIn(stdin);
        System.setOut(stdout);
    }

    /** Runs the program for {@code subject} with {@code answers} typed in; returns what it printed. */
    private String run(String subject, String answers) throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        System.setIn(new ByteArrayInputStream(answers.getBytes(StandardCharsets.UTF_8)));
        System.setOut(new PrintStream(screen, true, StandardCharsets.UTF_8));
        PlayerConflictFlow.main(new String[] {Fixtures.baseUrl(server).toString(), "idp1", subject});
        System.setOut(stdout);
        return screen.toString(StandardCharsets.UTF_8);
    }

    /** Sessions on {@code deviceIds}, started a second apart: the conflict lists them in this order. */
    private List<StreamSession> watchingOn(String subject, String... deviceIds) throws ConcurrencyException {
        List<StreamSession> sessions = new ArrayList<>();
        for (String deviceId : deviceIds) {
            sessions.add(devices.start("idp1", subject, Map.of("deviceId", deviceId)));
            scheduler.advance(Duration.ofSeconds(1));
        }
        return sessions;
    }

    @Test
    void theUserPicksAStreamToStopAndPlaybackStartsWithTheirSelection() throws Exception {
        List<StreamSession> others = watchingOn("player1", "tv", "phone", "tablet");
        RecordingListener phone = new RecordingListener();
        others.get(1).setListener(phone);

        String screen = run("player1", "2\n");

        assertThat(screen)
                .contains("You have reached your maximum of 3 concurrent streams.")
                .contains("1. Demo application (deviceId=tv)", "2. Demo application (deviceId=phone)",
                        "3. Demo application (deviceId=tablet)")
                .contains("Stop which stream (1-3), or Enter to cancel?")
                .contains("Now playing Channel9 on Laptop.")
                .contains("Stopped.");
        assertThat(devices.runningStreams("idp1", "player1").streams()).extracting(ActiveSession::sessionId)
                .as("the phone's stream was ended; the laptop's stopped when the program ended")
                .containsExactly(others.get(0).id(), others.get(2).id());

        scheduler.advance(Duration.ofSeconds(55));

        Terminator terminator = phone.only(Terminator.class);
        assertThat(terminator.deviceName()).as("the user's selection reached the service").hasValue("Laptop");
        assertThat(terminator.channel()).hasValue("Channel9");
    }

    @Test
    void aUserWhoCancelsKeepsTheirSelectionAndNoStreamIsStopped() throws Exception {
        watchingOn("player2", "tv", "phone", "tablet");

        String screen = run("player2", "\n");

        assertThat(screen).contains("Not playing. Your choice is kept: Channel9 on Laptop.");
        assertThat(devices.runningStreams("idp1", "player2").streams()).hasSize(3);
    }

    @Test
    void anAnswerThatIsNoChoiceIsAskedAgain() throws Exception {
        watchingOn("player3", "tv", "phone", "tablet");

        String screen = run("player3", "seven\n9\n3\n");

        assertThat(screen).contains("Please answer with a number from 1 to 3.").contains("Now playing Channel9 on Laptop.");
    }
}

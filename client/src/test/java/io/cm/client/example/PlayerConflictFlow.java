package io.cm.client.example;

import io.cm.client.ActiveSession;
import io.cm.client.ConcurrencyClient;
import io.cm.client.ConcurrencyConflict;
import io.cm.client.ConcurrencyException;
import io.cm.client.SessionListener;
import io.cm.client.StreamSession;
import io.cm.client.Terminator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A player's conflict flow, as the seed asks an app to handle a 409: explain the limit, show the
 * running streams and the choices, never crash, keep the user's selection, cope with a conflict that
 * offers nothing to stop. Against a server started by {@code bin/start} (demo: 3 streams per subscriber):
 *
 * <pre>{@code
 * java -cp … io.cm.client.example.PlayerConflictFlow http://localhost:8080 idp1 alice
 * }</pre>
 *
 * then answer with the number of the stream to stop. The player here is a console: it reads the
 * user's choice from standard input and shows everything on standard output.
 */
public final class PlayerConflictFlow {

    private final ConcurrencyClient client;
    private final BufferedReader user;
    private final PrintStream screen;

    public PlayerConflictFlow(ConcurrencyClient client, BufferedReader user, PrintStream screen) {
        this.client = client;
        this.user = user;
        this.screen = screen;
    }

    public static void main(String[] args) throws IOException {
        URI server = URI.create(args.length > 0 ? args[0] : "http://localhost:8080");
        String idp = args.length > 1 ? args[1] : "idp1";
        String subject = args.length > 2 ? args[2] : "alice";
        // What the user chose to watch, on which device: kept through the conflict, sent again by the retry.
        Map<String, String> selection = Map.of("deviceId", "laptop-1", "deviceName", "Laptop",
                "channel", "Channel9", "contentType", "live");
        BufferedReader user = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (ConcurrencyClient client = ConcurrencyClient.builder(server, "demo-app").build()) {
            Optional<StreamSession> playing = new PlayerConflictFlow(client, user, System.out).play(idp, subject, selection);
            if (playing.isEmpty()) return;
            System.out.println("Press Enter to stop.");
            user.readLine();
            playing.get().stop();
            System.out.println("Stopped.");
        } catch (ConcurrencyException e) {
            System.out.println("The stream could not be stopped (" + e.getMessage() + "); the service will expire it.");
        }
    }

    /** Starts playing {@code selection}, resolving a conflict with the user; empty if it does not play. */
    public Optional<StreamSession> play(String idp, String subject, Map<String, String> selection) throws IOException {
        try {
            return Optional.of(playing(client.start(idp, subject, selection)));
        } catch (ConcurrencyConflict conflict) {
            return resolve(conflict);
        } catch (ConcurrencyException e) {
            screen.println("Playback could not start: " + e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<StreamSession> resolve(ConcurrencyConflict conflict) throws IOException {
        ConcurrencyConflict current = conflict;
        screen.println(current.explain());
        while (current.hasResolvableConflicts()) {
            Optional<ActiveSession> picked = pick(current.sessions());
            if (picked.isEmpty()) break;
            try {
                return Optional.of(playing(current.retryTerminating(picked.get().terminationCode())));
            } catch (ConcurrencyConflict stillRefused) {
                current = stillRefused; // e.g. a second rule is broken: the next pick adds to this one
                screen.println(current.explain());
            } catch (ConcurrencyException e) {
                screen.println("Playback could not start: " + e.getMessage());
                break;
            }
        }
        screen.println("Not playing. Your choice is kept: " + current.metadata().get("channel") + " on "
                + current.metadata().get("deviceName") + ".");
        return Optional.empty();
    }

    /** The stream the user wants to stop, by its number in the explanation; empty if they cancel. */
    private Optional<ActiveSession> pick(List<ActiveSession> choices) throws IOException {
        while (true) {
            screen.print("Stop which stream (1-" + choices.size() + "), or Enter to cancel? ");
            String answer = user.readLine();
            if (answer == null || answer.isBlank()) return Optional.empty();
            try {
                int number = Integer.parseInt(answer.trim());
                if (number >= 1 && number <= choices.size()) return Optional.of(choices.get(number - 1));
            } catch (NumberFormatException notANumber) {
                // asked again below
            }
            screen.println("Please answer with a number from 1 to " + choices.size() + ".");
        }
    }

    private StreamSession playing(StreamSession session) {
        session.setListener(new EndingNotice());
        screen.println("Now playing " + session.metadata().get("channel") + " on " + session.metadata().get("deviceName")
                + ".");
        return session;
    }

    /** What the user is told when playback ends without them stopping it. */
    private final class EndingNotice implements SessionListener {
        @Override
        public void dismissed(ConcurrencyConflict conflict) {
            screen.println("Playback stopped: a newer stream took its place.\n" + conflict.explain());
        }

        @Override
        public void terminatedRemotely(Terminator terminator) {
            screen.println("Playback stopped from " + terminator.deviceName().orElse("another device") + ".");
        }

        @Override
        public void expired() {
            screen.println("Playback stopped: the connection to the service was lost.");
        }

        @Override
        public void failed(ConcurrencyException error) {
            screen.println("Playback stopped: the service could not be reached (" + error.getMessage() + ").");
        }
    }
}

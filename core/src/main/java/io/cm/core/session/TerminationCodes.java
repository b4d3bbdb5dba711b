package io.cm.core.session;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Short random codes a user reads off a conflict and sends back in X-Terminate. Unique among the
 * subject's active sessions; they are looked up only within one subject, so a code is useless
 * for any other.
 */
public final class TerminationCodes {

    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
    private static final int LENGTH = 6;

    private TerminationCodes() {
    }

    public static String newCode(List<Session> active) {
        while (true) {
            String code = random();
            if (active.stream().noneMatch(s -> s.terminationCode().equals(code))) return code;
        }
    }

    private static String random() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] code = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) code[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        return new String(code);
    }
}

package io.cm.server.ops;

/**
 * A reason the server cannot start, worded for the operator: {@code Main} prints the message as one
 * line and exits with status 2.
 */
public final class StartupFailure extends RuntimeException {

    public StartupFailure(String message) {
        super(message, null, false, false);
    }

    /**
     * One line naming the cause of {@code failure}: its own message for a {@code StartupFailure},
     * else the messages along its cause chain (libraries often wrap the telling one), without
     * repeats and line breaks.
     */
    public static String describe(Throwable failure) {
        if (failure instanceof StartupFailure known) return known.getMessage();
        StringBuilder line = new StringBuilder();
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
            if (line.toString().contains(message)) continue;
            if (!line.isEmpty()) line.append(": ");
            line.append(message);
        }
        return line.toString().replaceAll("\\s*\\R\\s*", " ");
    }
}

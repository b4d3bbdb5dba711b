package io.cm.server.http;

import java.util.regex.Pattern;

/**
 * A log line of {@code key=value} fields that a client cannot forge: a value that is not a plain
 * token is quoted, with quotes, backslashes, control characters, line and paragraph separators
 * (U+2028, U+2029) and invisible format characters (bidi overrides) escaped as {@code \\uXXXX}. So a
 * subject like {@code a policy=x} or one holding a line separator stays one field of one line.
 */
public final class LogFields {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:/@%+-]+");

    private final StringBuilder line;

    private LogFields(String event) {
        this.line = new StringBuilder(event);
    }

    /** A line that starts with {@code event}, a word chosen by the code, never by a client. */
    public static LogFields of(String event) {
        return new LogFields(event);
    }

    public LogFields add(String key, Object value) {
        line.append(' ').append(key).append('=');
        appendValue(line, String.valueOf(value));
        return this;
    }

    @Override
    public String toString() {
        return line.toString();
    }

    static void appendValue(StringBuilder out, String value) {
        if (PLAIN.matcher(value).matches()) {
            out.append(value);
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (needsEscape(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    private static boolean needsEscape(char c) {
        if (Character.isISOControl(c) || Character.isSurrogate(c)) return true;
        int type = Character.getType(c);
        return type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT
                || type == Character.UNASSIGNED;
    }
}

package io.cm.server.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Log fields a client's text cannot forge: one value stays one field of one line. */
class LogFieldsTest {

    @Test
    void plainTokensStayAsTheyAre() {
        assertThat(LogFields.of("denied").add("app", "demo-app").add("path", "/v2/x%20y").add("n", 3).toString())
                .isEqualTo("denied app=demo-app path=/v2/x%20y n=3");
    }

    @Test
    void spacesEqualsSignsAndQuotesAreQuotedAndEscaped() {
        assertThat(LogFields.of("e").add("subject", "a policy=x \"q\" \\").toString())
                .isEqualTo("e subject=\"a policy=x \\\"q\\\" \\\\\"");
    }

    @Test
    void lineBreaksSeparatorsAndInvisibleCharactersAreEscaped() {
        assertThat(LogFields.of("e").add("s", "a\nb\r\u2028\u2029\u202e\u0000").toString())
                .isEqualTo("e s=\"a\\u000ab\\u000d\\u2028\\u2029\\u202e\\u0000\"");
    }

    @Test
    void anEmptyValueIsAnEmptyQuotedString() {
        assertThat(LogFields.of("e").add("s", "").toString()).isEqualTo("e s=\"\"");
    }
}

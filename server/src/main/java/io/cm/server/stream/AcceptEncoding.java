package io.cm.server.stream;

import java.util.Locale;

/**
 * Whether an {@code Accept-Encoding} header accepts gzip (RFC 9110 §12.5.3): {@code gzip} (or its
 * alias {@code x-gzip}) with a non-zero weight, or else {@code *} with a non-zero weight. A missing
 * header does not count as acceptance: the live stream is only ever gzip (SPEC §6).
 */
final class AcceptEncoding {

    private AcceptEncoding() {
    }

    static boolean acceptsGzip(String header) {
        if (header == null) return false;
        Double gzip = null;
        Double any = null;
        for (String element : header.split(",")) {
            String[] parts = element.split(";");
            String coding = parts[0].trim().toLowerCase(Locale.ROOT);
            double weight = weight(parts);
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = gzip == null ? weight : Math.max(gzip, weight);
            } else if (coding.equals("*")) {
                any = weight;
            }
        }
        Double chosen = gzip != null ? gzip : any;
        return chosen != null && chosen > 0;
    }

    private static double weight(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            if (parameter.regionMatches(true, 0, "q=", 0, 2)) {
                try {
                    return Double.parseDouble(parameter.substring(2).trim());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}

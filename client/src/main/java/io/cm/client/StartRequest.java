package io.cm.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A start as the caller asked for it: kept by a conflict, so that a retry sends the user's original
 * selection again, and the termination codes already named (the service evaluates a retry as if only
 * the codes it names had ended, so each retry names all of them).
 */
record StartRequest(String idp, String subject, Map<String, String> metadata, List<String> terminate) {

    StartRequest {
        // Insertion order kept: the form body then lists metadata the way the caller wrote it.
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        terminate = List.copyOf(terminate);
    }

    /** This start again, also terminating {@code codes}. */
    StartRequest terminating(List<String> codes) {
        Set<String> all = new LinkedHashSet<>(terminate);
        all.addAll(codes);
        return new StartRequest(idp, subject, metadata, new ArrayList<>(all));
    }
}

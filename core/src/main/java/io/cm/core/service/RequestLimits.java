package io.cm.core.service;

import io.cm.core.store.RequestLimit;

/** SPEC §2 throttling: inits per (idp, subject), and heartbeats and stops per session. */
public record RequestLimits(RequestLimit inits, RequestLimit sessionRequests) {

    public static final RequestLimits DEFAULTS = new RequestLimits(new RequestLimit(200, 60_000),
            new RequestLimit(200, 60_000));
}

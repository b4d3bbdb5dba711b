package io.cm.server.stream;

import io.cm.server.config.LiveStreamSettings;
import io.cm.server.events.StreamGroup;

import java.util.List;

/** One configured live stream as the HTTP side sees it: its name and tokens, and its group of connections. */
record LiveStream(LiveStreamSettings settings, StreamGroup group) {

    String name() {
        return settings.name();
    }

    List<String> tokens() {
        return settings.tokens();
    }
}

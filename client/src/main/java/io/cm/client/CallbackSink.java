package io.cm.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.function.Consumer;

/**
 * The callback style of {@link LiveStreamClient#subscribe}. A callback that throws loses its record
 * (logged), not the connection: one bad record must not stop an analytics feed.
 */
record CallbackSink(Consumer<JsonNode> onRecord, Consumer<LiveStreamException> onFailure) implements RecordSink {

    private static final System.Logger LOG = System.getLogger(CallbackSink.class.getName());

    @Override
    public void record(JsonNode record) {
        guarded(onRecord, record, "A live-stream callback failed; its record is skipped");
    }

    @Override
    public void failed(LiveStreamException error) {
        guarded(onFailure, error, "A live-stream failure callback failed");
    }

    private static <T> void guarded(Consumer<T> callback, T value, String ifItThrows) {
        try {
            callback.accept(value);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, ifItThrows, e);
        }
    }

    @Override
    public void ended() {
        // callbacks hold nothing to release
    }
}

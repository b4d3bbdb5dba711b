package io.cm.client;

/** Where the live-stream connection loop hands what it reads; the callback and iterator styles adapt it. */
interface RecordSink {

    /** A new record (never a keepalive, never a repeat); may block to slow the reading down. */
    void record(SessionEvent event) throws InterruptedException;

    /** The client gave up; {@link #ended()} follows. */
    void failed(LiveStreamException error);

    /** No more records will come: closed or gave up. Called once. */
    void ended();
}

package io.cm.client;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The blocking-iterator style: records wait in a bounded buffer until the consumer takes them. A full
 * buffer blocks the reading thread, so a slow consumer slows the connection (TCP back-pressure)
 * instead of growing memory; the service copes with a slow reader.
 */
final class RecordQueue implements RecordSink, Iterator<SessionEvent> {

    private final int capacity;
    private final ArrayDeque<SessionEvent> records = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean ended;
    private LiveStreamException failure;

    RecordQueue(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public void record(SessionEvent event) throws InterruptedException {
        lock.lock();
        try {
            while (records.size() >= capacity && !ended) changed.await();
            records.add(event);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void failed(LiveStreamException error) {
        lock.lock();
        try {
            failure = error;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void ended() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until a record is there (true) or the client has ended (false after the records already
     * received); throws the {@link LiveStreamException} if it ended because it gave up.
     */
    @Override
    public boolean hasNext() {
        lock.lock();
        try {
            while (records.isEmpty() && !ended) changed.awaitUninterruptibly();
            if (!records.isEmpty()) return true;
            if (failure != null) throw failure;
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public SessionEvent next() {
        if (!hasNext()) throw new NoSuchElementException("the live stream has ended");
        lock.lock();
        try {
            SessionEvent event = records.remove();
            changed.signalAll();
            return event;
        } finally {
            lock.unlock();
        }
    }
}

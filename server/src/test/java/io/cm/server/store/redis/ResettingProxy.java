package io.cm.server.store.redis;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a Redis, for failure injection: it can hold back Redis's replies (so a
 * command stays in flight) and reset the client connections (RST, as a crashed peer or a middlebox
 * does). Each proxied connection has two copying threads.
 */
final class ResettingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final AtomicBoolean holdingReplies = new AtomicBoolean();
    private final AtomicLong requestBytes = new AtomicLong();

    private ResettingProxy(ServerSocket listener, int target) {
        this.listener = listener;
        this.target = target;
    }

    /** A proxy on a free loopback port in front of the Redis at {@code targetPort}. */
    static ResettingProxy start(int targetPort) {
        try {
            ResettingProxy proxy = new ResettingProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), targetPort);
            Thread.ofPlatform().daemon().name("proxy-accept").start(proxy::accept);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "redis://127.0.0.1:" + listener.getLocalPort();
    }

    /** Bytes clients have sent through the proxy so far. */
    long requestBytes() {
        return requestBytes.get();
    }

    /** From now on, replies from Redis are read and dropped, so that the commands sent stay unanswered. */
    void holdReplies() {
        holdingReplies.set(true);
    }

    /** Resets every client connection (RST) and lets replies through again on the new ones. */
    void resetClients() {
        for (Socket client : clients) {
            try {
                client.setSoLinger(true, 0);
            } catch (IOException ignored) {
                // already gone
            }
            close(client);
        }
        clients.clear();
        holdingReplies.set(false);
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                clients.add(client);
                Thread.ofPlatform().daemon().start(() -> copy(client, server, true));
                Thread.ofPlatform().daemon().start(() -> copy(server, client, false));
            } catch (IOException e) {
                close(client); // Redis is down: so is the proxied connection
            }
        }
    }

    private void copy(Socket from, Socket to, boolean requests) {
        byte[] buffer = new byte[16 * 1024];
        try (from; to; InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (requests) requestBytes.addAndGet(n);
                if (requests || !holdingReplies.get()) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (SocketException e) {
            // a side was reset or closed: the other is closed by the try block
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void close(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        close(listener);
        resetClients();
    }
}

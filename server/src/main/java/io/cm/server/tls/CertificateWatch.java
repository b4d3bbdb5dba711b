package io.cm.server.tls;

import io.cm.server.config.TlsSettings;
import io.cm.server.ops.StartupFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves the configured certificate and reloads it without a restart: every {@code reloadCheck} the two
 * PEM files are read on a worker thread (never on an event loop) and, when their bytes changed, the HTTPS
 * servers switch to them ({@link HttpServer#updateSSLOptions}). Connections already open keep the
 * certificate they were opened with; new ones get the new one. A pair that does not load (a file cut short,
 * a key that is not PEM) is logged and the previous one stays served until the files change again; replace
 * both files by renaming them into place so that no check sees one new and one old.
 */
public final class CertificateWatch {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateWatch.class);

    private final TlsSettings settings;
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final AtomicBoolean checking = new AtomicBoolean();
    private final PemPair initial;
    private volatile byte[] seen;
    private long timer = -1;

    private CertificateWatch(TlsSettings settings, PemPair initial) {
        this.settings = settings;
        this.initial = initial;
        this.seen = initial.digest();
    }

    /** Reads the files at start-up; unreadable files stop the start with a line naming them. */
    public static CertificateWatch open(TlsSettings settings) {
        try {
            return new CertificateWatch(settings, PemPair.read(settings));
        } catch (IOException e) {
            throw new StartupFailure("cannot read the TLS certificate or key (tls.cert " + settings.cert() + ", tls.key "
                    + settings.key() + "): " + StartupFailure.describe(e));
        }
    }

    /** The key and certificate as read at start-up, for the servers' options. */
    public PemKeyCertOptions initialOptions() {
        return initial.options();
    }

    /** A server serving the certificate; it gets every reload. */
    public void serve(HttpServer server) {
        servers.add(server);
    }

    public void start(Vertx vertx) {
        timer = vertx.setPeriodic(settings.reloadCheck().toMillis(), id -> check(vertx));
    }

    public void stop(Vertx vertx) {
        if (timer >= 0) vertx.cancelTimer(timer);
    }

    /** One check at a time: a tick that finds the previous one still running skips. */
    private void check(Vertx vertx) {
        if (!checking.compareAndSet(false, true)) return;
        vertx.executeBlocking(() -> PemPair.read(settings), false)
                .compose(pair -> Arrays.equals(pair.digest(), seen) ? Future.succeededFuture() : reload(pair))
                .onFailure(e -> LOG.warn("TLS certificate not reloaded from {} and {}; still serving the previous one: {}",
                        settings.cert(), settings.key(), StartupFailure.describe(e)))
                .onComplete(done -> checking.set(false));
    }

    private Future<Void> reload(PemPair pair) {
        // Seen even if it fails to load: it is logged once, and tried again when the files change again.
        seen = pair.digest();
        ServerSSLOptions options = new ServerSSLOptions().setKeyCertOptions(pair.options());
        return Future.all(servers.stream().map(server -> server.updateSSLOptions(options)).toList())
                .onSuccess(done -> LOG.info("TLS certificate reloaded from {}", settings.cert()))
                .mapEmpty();
    }
}

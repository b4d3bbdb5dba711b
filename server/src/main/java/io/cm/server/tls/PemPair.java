package io.cm.server.tls;

import io.cm.server.config.TlsSettings;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The certificate chain and key files as read at one moment, and a digest telling whether they changed. */
record PemPair(byte[] cert, byte[] key) {

    /** Reads both files; waits on disk: a worker thread or start-up only. */
    static PemPair read(TlsSettings settings) throws IOException {
        return new PemPair(Files.readAllBytes(settings.cert()), Files.readAllBytes(settings.key()));
    }

    /** SHA-256 over both files: a changed byte in either is a new pair, a rewrite with the same bytes is not. */
    byte[] digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(cert);
            sha.update((byte) 0);
            sha.update(key);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Served from memory, so that a reload uses exactly the bytes that were compared. */
    PemKeyCertOptions options() {
        return new PemKeyCertOptions().addCertValue(Buffer.buffer(cert)).addKeyValue(Buffer.buffer(key));
    }
}

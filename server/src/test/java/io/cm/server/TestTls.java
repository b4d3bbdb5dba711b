package io.cm.server;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Test certificates: a key pair and a self-signed certificate for 127.0.0.1, made by the JDK's own
 * {@code keytool} and written as the PEM files the server reads ({@code tls.cert}, {@code tls.key}).
 * With {@code -Dcm.test.tls=true} every {@link TestServer} serves HTTPS with {@link #shared()}.
 */
public final class TestTls {

    private static final char[] PASSWORD = "test-only".toCharArray();

    /** A certificate and its key, as files and as the certificate itself. */
    public record Pem(Path cert, Path key, X509Certificate certificate) {

        /** The server's settings for this pair: {@code CM_TLS_CERT}, {@code CM_TLS_KEY}. */
        public Map<String, String> environment() {
            return Map.of("CM_TLS_CERT", cert.toString(), "CM_TLS_KEY", key.toString());
        }

        /** Puts {@code other}'s files in place of these, each by an atomic rename (what an operator does). */
        public void replaceWith(Pem other) {
            try {
                Path certTemp = Files.copy(other.cert, cert.resolveSibling(cert.getFileName() + ".new"),
                        StandardCopyOption.REPLACE_EXISTING);
                Path keyTemp = Files.copy(other.key, key.resolveSibling(key.getFileName() + ".new"),
                        StandardCopyOption.REPLACE_EXISTING);
                Files.move(keyTemp, key, StandardCopyOption.ATOMIC_MOVE);
                Files.move(certTemp, cert, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private TestTls() {
    }

    public static boolean enabled() {
        return Boolean.getBoolean("cm.test.tls");
    }

    /** One pair per JVM, for servers started with {@code -Dcm.test.tls=true}. */
    public static Pem shared() {
        return Shared.PEM;
    }

    private static final class Shared {
        static final Pem PEM = generate(temporaryDirectory(), "shared");
    }

    /** A new key pair and certificate for 127.0.0.1 in {@code dir}: {@code <name>.crt} and {@code <name>.key}. */
    public static Pem generate(Path dir, String name) {
        try {
            Path store = dir.resolve(name + ".p12");
            Files.deleteIfExists(store);
            Process keytool = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=127.0.0.1, OU=" + name, "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)))
                    .redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (keytool.waitFor() != 0) throw new IllegalStateException("keytool failed: " + output);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, PASSWORD);
            }
            X509Certificate certificate = (X509Certificate) keys.getCertificate(name);
            Key key = keys.getKey(name, PASSWORD);
            Path cert = Files.writeString(dir.resolve(name + ".crt"), pem("CERTIFICATE", certificate.getEncoded()));
            Path keyFile = Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", key.getEncoded()));
            return new Pem(cert, keyFile, certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A client context that trusts exactly {@code certificates}. */
    public static SSLContext trusting(X509Certificate... certificates) {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (int i = 0; i < certificates.length; i++) trusted.setCertificateEntry("trusted-" + i, certificates[i]);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("cm-tls");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}

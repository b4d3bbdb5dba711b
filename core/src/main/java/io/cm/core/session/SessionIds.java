package io.cm.core.session;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Session ids that prove their own issue: 12 random bytes followed by a 12-byte HMAC-SHA256 of
 * (application, idp, subject, random), base64url. A forged id, or an id presented for another
 * subject or application, fails the check (404) without keeping ended sessions around; an id that
 * passes but is not active has ended (410).
 */
public final class SessionIds {

    private static final int RANDOM_BYTES = 12;
    private static final int MAC_BYTES = 12;
    private static final int ENCODED_LENGTH = 32;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();
    private final ThreadLocal<Mac> macs;

    public SessionIds(byte[] secret) {
        if (secret.length < 16) throw new IllegalArgumentException("session id key must have at least 16 bytes");
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
        newMac();
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public String issue(String applicationId, SubjectKey subject) {
        byte[] id = new byte[RANDOM_BYTES + MAC_BYTES];
        random.nextBytes(id);
        System.arraycopy(mac(applicationId, subject, id), 0, id, RANDOM_BYTES, MAC_BYTES);
        return ENCODER.encodeToString(id);
    }

    public boolean isIssued(String applicationId, SubjectKey subject, String sessionId) {
        if (sessionId.length() != ENCODED_LENGTH) return false;
        byte[] id;
        try {
            id = DECODER.decode(sessionId);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        // 32 characters may still carry '=' padding and decode to fewer bytes: not one of ours.
        if (id.length != RANDOM_BYTES + MAC_BYTES) return false;
        byte[] expected = mac(applicationId, subject, id);
        byte[] given = new byte[MAC_BYTES];
        System.arraycopy(id, RANDOM_BYTES, given, 0, MAC_BYTES);
        byte[] wanted = new byte[MAC_BYTES];
        System.arraycopy(expected, 0, wanted, 0, MAC_BYTES);
        return MessageDigest.isEqual(given, wanted);
    }

    private byte[] mac(String applicationId, SubjectKey subject, byte[] id) {
        Mac mac = macs.get();
        mac.update(field(applicationId));
        mac.update(field(subject.idp()));
        mac.update(field(subject.subject()));
        mac.update(id, 0, RANDOM_BYTES);
        return mac.doFinal();
    }

    /** Length-prefixed so that ("ab","c") and ("a","bc") sign differently. */
    private static byte[] field(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[bytes.length + 4];
        framed[0] = (byte) (bytes.length >>> 24);
        framed[1] = (byte) (bytes.length >>> 16);
        framed[2] = (byte) (bytes.length >>> 8);
        framed[3] = (byte) bytes.length;
        System.arraycopy(bytes, 0, framed, 4, bytes.length);
        return framed;
    }
}

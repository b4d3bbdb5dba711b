package io.cm.server.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Issues and checks the live streams' access tokens: JWTs signed with HMAC-SHA256 (Nimbus JOSE+JWT),
 * carrying the client id ({@code sub}), the streams they read ({@code streams}) and their expiry
 * ({@code exp}). Checking one is a signature and a clock comparison, no lookup; any node holding the
 * same key accepts it. Thread-safe; time comes from the injected clock.
 */
public final class AccessTokens {

    private static final String ISSUER = "cm";
    private static final String STREAMS = "streams";

    private final MACSigner signer;
    private final MACVerifier verifier;
    private final Duration lifetime;
    private final Clock clock;

    /** @param key at least 32 bytes (HS256) */
    public AccessTokens(byte[] key, Duration lifetime, Clock clock) {
        try {
            this.signer = new MACSigner(key);
            this.verifier = new MACVerifier(key);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the access token key must be at least 32 bytes", e);
        }
        this.lifetime = lifetime;
        this.clock = clock;
    }

    public IssuedToken issue(String clientId, Set<String> streams) {
        // JWT times are whole seconds: counted from the second begun, a token never lives longer than promised.
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant expiry = now.plus(lifetime);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(clientId)
                .claim(STREAMS, List.copyOf(streams))
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expiry))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign an access token", e);
        }
        return new IssuedToken(jwt.serialize(), lifetime.toSeconds(), streams);
    }

    public TokenCheck check(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            // Only the algorithm this service signs with: never "none", never one the presenter chose.
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return new TokenCheck.Invalid();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expiry = claims.getExpirationTime();
            List<String> streams = claims.getStringListClaim(STREAMS);
            if (!ISSUER.equals(claims.getIssuer()) || expiry == null || claims.getSubject() == null || streams == null) {
                return new TokenCheck.Invalid();
            }
            if (!clock.instant().isBefore(expiry.toInstant())) return new TokenCheck.Expired(expiry.toInstant());
            return new TokenCheck.Valid(claims.getSubject(), Set.copyOf(streams));
        } catch (ParseException | JOSEException e) {
            return new TokenCheck.Invalid();
        }
    }
}

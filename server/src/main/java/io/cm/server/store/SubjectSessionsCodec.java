package io.cm.server.store;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.cm.core.evaluation.Advice;
import io.cm.core.session.SubjectSessions;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A subject's stored state as bytes (JSON), for stores outside this process's heap. The core's
 * records stay free of serialization annotations; the advice's subtypes are named here.
 */
public final class SubjectSessionsCodec {

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Advice.RuleViolation.class, name = "rule-violation"),
            @JsonSubTypes.Type(value = Advice.RemoteTermination.class, name = "remote-termination")})
    private interface AdviceTypes {
    }

    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .addMixIn(Advice.class, AdviceTypes.class)
            // Records are written by their components only, not by helpers such as isEmpty().
            .setVisibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public byte[] encode(SubjectSessions state) {
        try {
            return json.writeValueAsBytes(state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a subject's sessions", e);
        }
    }

    public SubjectSessions decode(byte[] bytes) {
        try {
            return json.readValue(bytes, SubjectSessions.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode a subject's sessions", e);
        }
    }
}

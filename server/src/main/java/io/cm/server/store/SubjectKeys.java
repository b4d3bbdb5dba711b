package io.cm.server.store;

import io.cm.core.session.SubjectKey;

/** A subject as one map key, {@code <length of idp>:<idp><subject>}: unambiguous whatever characters the ids hold. */
public final class SubjectKeys {

    private SubjectKeys() {
    }

    public static String format(SubjectKey subject) {
        return subject.idp().length() + ":" + subject.idp() + subject.subject();
    }

    public static SubjectKey parse(String key) {
        int colon = key.indexOf(':');
        int idpLength = Integer.parseInt(key.substring(0, colon));
        int idpEnd = colon + 1 + idpLength;
        return new SubjectKey(key.substring(colon + 1, idpEnd), key.substring(idpEnd));
    }
}

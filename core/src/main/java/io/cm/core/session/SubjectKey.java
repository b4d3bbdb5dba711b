package io.cm.core.session;

/** The subscriber account all counting is done for: identity provider plus account id. */
public record SubjectKey(String idp, String subject) {
    public SubjectKey {
        if (idp == null || subject == null) throw new IllegalArgumentException("idp and subject are required");
    }
}

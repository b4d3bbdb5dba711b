package io.cm.server.http;

import io.cm.core.evaluation.Advice;
import io.cm.core.evaluation.Evaluation;
import io.cm.core.policy.Application;
import io.cm.core.session.SubjectKey;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SPEC §4: every denial is one structured line on the logger {@code io.cm.denials}, one per broken
 * rule: {@code denied app=… idp=… subject=… policy=… rule=… threshold=… current=…}, with the
 * request's id. Values come from clients, so they are escaped ({@link LogFields}); in the JSON log
 * format the same fields are also key-value pairs of the record.
 */
final class DenialLog {

    private static final Logger DENIALS = LoggerFactory.getLogger("io.cm.denials");

    private DenialLog() {
    }

    static void log(RoutingContext ctx, Application app, SubjectKey subject, Evaluation evaluation) {
        for (Advice advice : evaluation.advice()) {
            if (advice instanceof Advice.RuleViolation v) {
                String line = LogFields.of("denied").add("app", app.id()).add("idp", subject.idp())
                        .add("subject", subject.subject()).add("policy", v.policy()).add("rule", v.rule())
                        .add("threshold", v.threshold()).add("current", v.current()).toString();
                RequestIds.logging(ctx, () -> DENIALS.atInfo()
                        .addKeyValue("app", app.id()).addKeyValue("idp", subject.idp())
                        .addKeyValue("subject", subject.subject()).addKeyValue("policy", v.policy())
                        .addKeyValue("rule", v.rule()).addKeyValue("threshold", v.threshold())
                        .addKeyValue("current", v.current())
                        .log(line));
            }
        }
    }
}

package io.cm.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cm.core.evaluation.Advice;
import io.cm.core.evaluation.Conflict;
import io.cm.core.evaluation.Evaluation;
import io.cm.core.evaluation.Obligation;
import io.cm.core.session.Session;

import java.util.List;
import java.util.Map;

/** Encodes evaluation results, errors and session listings in the wire shapes of the spec (§2, §3). */
public final class EvaluationJson {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private EvaluationJson() {
    }

    public static ObjectNode error(String code, String message, java.util.Optional<Evaluation> evaluation) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("status", "error");
        body.putObject("error").put("code", code).put("message", message);
        evaluation.ifPresent(e -> body.set("evaluationResult", evaluation(e)));
        return body;
    }

    public static ObjectNode evaluation(Evaluation evaluation) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("decision", evaluation.decision().name());
        ArrayNode advice = node.putArray("associatedAdvice");
        int n = 0;
        for (Advice a : evaluation.advice()) advice.add(advice(a, ++n));
        ArrayNode obligations = node.putArray("obligations");
        n = 0;
        for (Obligation o : evaluation.obligations()) obligations.add(obligation(o, ++n));
        return node;
    }

    private static ObjectNode advice(Advice advice, int index) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", "advice-" + index);
        switch (advice) {
            case Advice.RuleViolation v -> {
                node.put("adviceType", "rule-violation");
                ObjectNode attributes = node.putObject("attributes");
                attributes.put("policy", v.policy());
                attributes.put("rule", v.rule());
                attributes.put("message", v.message());
                attributes.put("threshold", v.threshold());
                attributes.put("current", v.current());
                v.attribute().ifPresent(a -> attributes.put("attribute", a));
                v.value().ifPresent(a -> attributes.put("value", a));
                v.dismissedBy().ifPresent(a -> attributes.put("dismissedBy", a));
                ArrayNode conflicts = attributes.putArray("conflicts");
                v.conflicts().forEach(c -> conflicts.add(conflict(c)));
            }
            case Advice.RemoteTermination t -> {
                node.put("adviceType", "remote-termination");
                ObjectNode attributes = node.putObject("attributes");
                attributes.put("terminatedBy", t.terminatedBy());
                attributes.put("reason", t.reason());
                ObjectNode terminator = attributes.putObject("terminator");
                terminator.put("applicationName", t.terminator().applicationName());
                terminator.put("deviceName", t.terminator().deviceName().orElse(null));
                terminator.put("channel", t.terminator().channel().orElse(null));
                terminator.put("startTime", t.terminator().startTime());
            }
        }
        return node;
    }

    private static ObjectNode conflict(Conflict c) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("sessionId", c.sessionId());
        node.put("terminationCode", c.terminationCode());
        node.put("applicationId", c.applicationId());
        node.put("applicationName", c.applicationName());
        node.put("startTime", c.startTime());
        node.set("metadata", metadata(c.metadata()));
        return node;
    }

    private static ObjectNode obligation(Obligation o, int index) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", "obligation-" + index);
        node.put("action", o.action());
        ArrayNode arguments = node.putArray("arguments");
        o.arguments().forEach(arguments::add);
        ArrayNode missing = node.putObject("attributes").putArray("missing");
        o.missing().forEach(missing::add);
        return node;
    }

    public static ObjectNode runningStream(Session s, String applicationName) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("sessionId", s.id());
        node.put("startTime", s.startTime());
        node.put("applicationId", s.applicationId());
        node.put("applicationName", applicationName);
        node.put("terminationCode", s.terminationCode());
        node.set("metadata", metadata(s.metadata()));
        return node;
    }

    public static ArrayNode strings(List<String> values) {
        ArrayNode array = MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }

    private static ObjectNode metadata(Map<String, String> metadata) {
        ObjectNode node = MAPPER.createObjectNode();
        new java.util.TreeMap<>(metadata).forEach(node::put);
        return node;
    }
}

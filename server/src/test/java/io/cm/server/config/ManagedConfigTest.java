package io.cm.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cm.core.event.SessionEventType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/** The tenants, policies and streams as JSON (the admin API's form of the config file's sections). */
class ManagedConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static List<ConfigProblem> problems(ConfigCheck check) {
        return assertThat(check).asInstanceOf(type(ConfigCheck.Invalid.class)).actual().problems();
    }

    private static final String VALID = """
            {"tenants":[{"id":"t","applications":[{"id":"app","name":"App","policies":["p"]}]}],
             "policies":[{"name":"p","mode":"fifo","rules":[{"type":"max-streams","limit":2}]}],
             "streams":[{"name":"s","tenant":"t","tokens":["tok"]}]}
            """;

    @Test
    void aValidJsonConfigurationGivesTheCatalogAndStreams() throws Exception {
        ManagedSettings settings = assertThat(ManagedConfig.read(json(VALID)))
                .asInstanceOf(type(ConfigCheck.Valid.class)).actual().settings();

        assertThat(settings.catalog().application("app").orElseThrow().tenant()).isEqualTo("t");
        assertThat(settings.streams()).containsExactly(new LiveStreamSettings("s", "t", List.of("tok")));
    }

    @Test
    void aStreamCarriesTheEventTypesItNamesAndUnknownOrNoTypesAreProblems() throws Exception {
        ManagedSettings settings = assertThat(ManagedConfig.read(json(VALID.replace("\"tokens\":[\"tok\"]",
                "\"tokens\":[\"tok\"],\"types\":[\"session.denied\"]"))))
                .asInstanceOf(type(ConfigCheck.Valid.class)).actual().settings();
        assertThat(settings.streams().getFirst().types()).containsExactly(SessionEventType.DENIED);

        assertThat(problems(ManagedConfig.read(json(VALID.replace("\"tokens\":[\"tok\"]",
                "\"tokens\":[\"tok\"],\"types\":[\"session.denied\",\"session.paused\"]")))))
                .extracting(ConfigProblem::path, ConfigProblem::message)
                .containsExactly(tuple("streams[0].types[1]", "stream s: unknown event type 'session.paused' (expected "
                        + "session.started, session.heartbeat, session.denied, session.stopped, session.expired, "
                        + "session.killed, session.dismissed)"));
        assertThat(problems(ManagedConfig.read(json(VALID.replace("\"tokens\":[\"tok\"]",
                "\"tokens\":[\"tok\"],\"types\":[]")))))
                .extracting(ConfigProblem::path).containsExactly("streams[0].types");
    }

    @Test
    void itsJsonReadsBackToTheSameConfigurationAndTheSameEtag() throws Exception {
        ManagedConfig config = ((ConfigCheck.Valid) ManagedConfig.read(json(VALID))).settings().config();

        ManagedConfig again = ((ConfigCheck.Valid) ManagedConfig.read(config.toJson())).settings().config();

        assertThat(again).isEqualTo(config);
        assertThat(again.etag()).isEqualTo(config.etag()).startsWith("\"").endsWith("\"");
        assertThat(config.toJson().at("/tenants/0/applications/0").has("secret")).isFalse();
    }

    @Test
    void anyChangeGivesAnotherEtag() throws Exception {
        ManagedConfig config = ((ConfigCheck.Valid) ManagedConfig.read(json(VALID))).settings().config();
        ManagedConfig.PolicyEntry lowered = new ManagedConfig.PolicyEntry("p", "fifo", null,
                List.of(new ManagedConfig.RuleEntry("max-streams", null, 1, null)));

        ManagedConfig changed = config.withPolicy(lowered);

        assertThat(changed.etag()).isNotEqualTo(config.etag());
        assertThat(changed.policies()).containsExactly(lowered);
        assertThat(changed.withPolicy(config.policy("p").orElseThrow()).etag()).isEqualTo(config.etag());
    }

    @Test
    void aValueOfTheWrongTypeIsOneProblemWhereBindingStopped() throws Exception {
        ConfigCheck check = ManagedConfig.read(json("""
                {"policies":[{"name":"p","rules":[{"type":"max-streams","limit":"three"}]}]}"""));

        assertThat(problems(check)).singleElement()
                .satisfies(p -> assertThat(p.path()).isEqualTo("policies[0].rules[0].limit"));
    }

    @Test
    void anUnknownKeyIsAProblemNamingIt() throws Exception {
        ConfigCheck check = ManagedConfig.read(json("{\"policies\":[],\"polices\":[]}"));

        assertThat(problems(check)).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("unknown key 'polices'"));
    }

    @Test
    void aBodyThatIsNotAnObjectIsAProblem() throws Exception {
        assertThat(ManagedConfig.read(json("[1,2]"))).isInstanceOf(ConfigCheck.Invalid.class);
    }

    @Test
    void namesThatCannotBeAdminPathSegmentsAreRejected() throws Exception {
        ConfigCheck check = ManagedConfig.read(json("""
                {"policies":[{"name":"a/b","rules":[{"type":"max-streams","limit":1}]}]}"""));

        assertThat(problems(check)).singleElement()
                .satisfies(p -> assertThat(p).hasToString("policies[0].name: policy name 'a/b' must not contain '/' "
                        + "or control characters"));
    }

    @Test
    void aMaxStreamsRuleWithAnAttributeIsRejectedRatherThanSilentlyIgnored() throws Exception {
        ConfigCheck check = ManagedConfig.read(json("""
                {"policies":[{"name":"p","rules":[{"type":"max-streams","limit":1,"attribute":"channel"}]}]}"""));

        assertThat(problems(check)).singleElement()
                .satisfies(p -> assertThat(p.path()).isEqualTo("policies[0].rules[0].attribute"));
    }
}

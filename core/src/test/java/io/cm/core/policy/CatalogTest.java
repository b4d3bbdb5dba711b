package io.cm.core.policy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CatalogTest {

    private static Application app(String id, String tenant, String... policies) {
        return new Application(id, tenant, null, Optional.empty(), List.of(policies), Optional.empty());
    }

    private static Policy policy(String name, Optional<Target> target, Rule... rules) {
        return new Policy(name, List.of(rules), null, target);
    }

    private final Application a = app("a", "t1", "channels", "live");
    private final Application b = app("b", "t1", "streams");
    private final Application shared = app("shared", "t2", "live");
    private final Application stranger = app("stranger", "t3", "streams");
    private final Catalog catalog = new Catalog(List.of(a, b, shared, stranger), List.of(
            policy("channels", Optional.empty(), new Rule.MaxPerValue(null, "channel", 2),
                    new Rule.MaxDistinct(null, "deviceId", 2)),
            policy("live", Optional.of(new Target("contentType", Set.of("live"))), new Rule.MaxStreams(null, 1),
                    new Rule.MaxPerValue(null, "channel", 1)),
            policy("streams", Optional.empty(), new Rule.MaxStreams(null, 3))));

    @Test
    void requiredMetadataIsEveryAttributeOfEveryPolicyOfTheApplicationOnceInConfigurationOrder() {
        assertThat(catalog.requiredMetadata(a)).containsExactly("channel", "deviceId", "contentType");
        assertThat(catalog.requiredMetadata(b)).isEmpty();
    }

    @Test
    void sessionsAreVisibleToTheSameTenantAndToApplicationsSharingAPolicy() {
        assertThat(catalog.isVisible(a, "b")).isTrue();
        assertThat(catalog.isVisible(a, "shared")).isTrue();
        assertThat(catalog.isVisible(shared, "a")).isTrue();
        assertThat(catalog.isVisible(a, "a")).isTrue();
        assertThat(catalog.isVisible(a, "stranger")).isFalse();
        assertThat(catalog.isVisible(shared, "b")).isFalse();
        assertThat(catalog.isVisible(a, "unknown")).isFalse();
    }

    @Test
    void aSessionCountsForAPolicyOnlyIfItsApplicationReferencesIt() {
        Policy streams = catalog.policiesOf(b).getFirst();

        assertThat(catalog.counts(streams, "b")).isTrue();
        assertThat(catalog.counts(streams, "stranger")).isTrue();
        assertThat(catalog.counts(streams, "a")).isFalse();
        assertThat(catalog.counts(streams, "unknown")).isFalse();
    }

    @Test
    void anApplicationReferencingAnUnknownPolicyIsRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Catalog(List.of(app("x", "t", "nope")), List.of()))
                .withMessageContaining("nope");
    }

    @Test
    void duplicateNamesAreRefused() {
        Policy p = policy("p", Optional.empty(), new Rule.MaxStreams(null, 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new Catalog(List.of(app("x", "t"), app("x", "t")), List.of()));
        assertThatIllegalArgumentException().isThrownBy(() -> new Catalog(List.of(), List.of(p, p)));
    }

    @Test
    void policyWithATargetAppliesOnlyToMatchingMetadata() {
        Policy live = policy("live", Optional.of(new Target("contentType", Set.of("live", "event"))),
                new Rule.MaxStreams(null, 1));

        assertThat(live.applies(Map.of("contentType", "live"))).isTrue();
        assertThat(live.applies(Map.of("contentType", "event"))).isTrue();
        assertThat(live.applies(Map.of("contentType", "vod"))).isFalse();
        assertThat(live.applies(Map.of())).isFalse();
        assertThat(policy("all", Optional.empty(), new Rule.MaxStreams(null, 1)).applies(Map.of())).isTrue();
    }

    @Test
    void policyDefaultsToLifoAndRulesToTheirTypeNames() {
        Policy p = policy("p", Optional.empty(), new Rule.MaxStreams(" ", 1));

        assertThat(p.mode()).isEqualTo(ConflictMode.LIFO);
        assertThat(p.rules().getFirst().name()).isEqualTo("max_streams");
        assertThat(new Rule.MaxPerValue(null, "channel", 1).name()).isEqualTo("max_per_value");
        assertThat(new Rule.MaxDistinct(null, "deviceId", 1).name()).isEqualTo("max_distinct");
    }

    @Test
    void invalidRulesAndPoliciesAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Rule.MaxStreams(null, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> new Rule.MaxPerValue(null, " ", 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new Rule.MaxDistinct(null, null, 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new Policy("p", List.of(), ConflictMode.LIFO, Optional.empty()));
        assertThatIllegalArgumentException().isThrownBy(() -> new Target("contentType", Set.of()));
    }

    @Test
    void applicationNameDefaultsToItsId() {
        assertThat(a.name()).isEqualTo("a");
    }
}

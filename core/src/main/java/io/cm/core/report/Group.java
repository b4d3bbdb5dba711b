package io.cm.core.report;

import java.util.Comparator;
import java.util.Set;

/**
 * The group a row is about: the values of the dimensions it is grouped by, null for the others (and
 * {@code platform} null for sessions without platform metadata).
 */
public record Group(String tenant, String application, String platform) implements Comparable<Group> {

    private static final Comparator<String> NULLS_FIRST = Comparator.nullsFirst(Comparator.naturalOrder());
    private static final Comparator<Group> ORDER = Comparator.comparing(Group::tenant, NULLS_FIRST)
            .thenComparing(Group::application, NULLS_FIRST).thenComparing(Group::platform, NULLS_FIRST);

    /** This session's group when rows are grouped {@code by} these dimensions. */
    Group within(Set<Dimension> by) {
        return new Group(by.contains(Dimension.TENANT) ? tenant : null,
                by.contains(Dimension.APPLICATION) ? application : null,
                by.contains(Dimension.PLATFORM) ? platform : null);
    }

    @Override
    public int compareTo(Group other) {
        return ORDER.compare(this, other);
    }
}

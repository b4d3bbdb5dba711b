package io.cm.core.report;

/**
 * One row of the concurrency-level report (SPEC §10): in the interval and group, how many subjects
 * had at most {@code level} sessions active at once, and reached it: each subject active in the
 * interval counts once, at the highest number of its sessions of the group active at one instant.
 * Levels run from 1 to the highest reached, zero counts included; their sum is the usage row's
 * {@code activeUsers}.
 */
public record LevelRow(long interval, Group group, int level, long subjects) {
}

package io.cm.core.report;

/**
 * One row of the usage report (SPEC §10): one interval and group. How each figure is counted:
 * <ul>
 *   <li>{@code activeSessions}: sessions active at some time in the interval (started before its end,
 *       not ended before its start; a session's life runs from its start event to its ending event);</li>
 *   <li>{@code activeUsers}: distinct subjects (idp, subject) with at least one such session;</li>
 *   <li>{@code startedSessions}, {@code failedAttempts} (denied inits), {@code completedSessions}
 *       (stopped or expired), {@code dismissedSessions}, {@code killedSessions}: events of that type
 *       dated in the interval;</li>
 *   <li>{@code peakConcurrentSessions}: the most sessions of the group active at one instant in it.</li>
 * </ul>
 * An ending is counted in the group of the session's start.
 *
 * @param interval start of the interval, epoch ms
 */
public record UsageRow(long interval, Group group, long activeUsers, long activeSessions, long startedSessions,
                       long completedSessions, long failedAttempts, long dismissedSessions, long killedSessions,
                       long peakConcurrentSessions) {
}

/**
 * Java client of the Concurrency Monitor: {@link io.cm.client.ConcurrencyClient} for the session API
 * (starts, heartbeats, conflicts, kill-and-retry) and {@link io.cm.client.LiveStreamClient} for the
 * live event stream. Depends on {@code java.net.http} and Jackson only.
 */
package io.cm.client;

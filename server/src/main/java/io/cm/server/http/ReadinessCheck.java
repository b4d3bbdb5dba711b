package io.cm.server.http;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One thing the node needs to serve requests, asked by {@code /health/ready}.
 *
 * @param name        its key under {@code checks} in the answer
 * @param failureCode the error code of the 503 when this is the first check that fails
 * @param probe       completes, within about a second, with whether it works now; never waits on an event loop
 */
public record ReadinessCheck(String name, String failureCode, Supplier<CompletionStage<Boolean>> probe) {
}

package io.cm.core.service;

import io.cm.core.policy.Catalog;

/**
 * What decisions are made under: the applications and policies, and the request limits. Swapped
 * whole when an operator changes them; the service reads it once per operation, so one decision
 * never mixes two versions.
 */
public record DecisionSettings(Catalog catalog, RequestLimits requestLimits) {
}

/**
 * The Micrometer binding of each guard: meters named {@code wsguard.*} with bounded tags, registered in the
 * configured registry ({@code GuardConfig.Builder.meterRegistry}) or Micrometer's global one, removed when the guard
 * closes. Loaded only when Micrometer is on the class path. Not an API.
 */
package dev.wsguard.internal.metrics;

/**
 * Bearer-token verification: compact JWS tokens are checked against configured or published keys and the
 * MP-JWT claim rules, and every refusal is one {@link dev.wsguard.Rejection} value. Configuration problems fail at
 * construction with {@link dev.wsguard.GuardConfigException}; per-token problems never throw. Internal: the
 * types here may change between releases.
 */
package dev.wsguard.internal.jwt;

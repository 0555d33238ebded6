/**
 * wsguard's public API: {@link dev.wsguard.WsGuardConfigurator} guards a {@code @ServerEndpoint}'s handshake,
 * {@link dev.wsguard.GuardConfig} says what it enforces, and {@link dev.wsguard.WsGuard#identity} hands the verified
 * identity to the endpoint. Every refusal is one of the {@link dev.wsguard.Rejection} reasons and produces one
 * {@link dev.wsguard.SecurityEvent}.
 */
package dev.wsguard;

/**
 * How a refusal is rendered on each runtime, kept apart so that the core loads where Tyrus is absent (WildFly).
 * Tyrus types are touched only after a class-path check.
 */
package dev.wsguard.internal.tyrus;

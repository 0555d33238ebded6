/**
 * The per-message pipeline behind {@link dev.wsguard.GuardedEndpoint}: routes by message type, authorization and
 * channel rules, rate limits with bounded per-key state, violation counting and the answers. Not an API.
 */
package dev.wsguard.internal.message;

/**
 * The checks behind the public API and their plumbing: origin matching, token extraction, the handshake pipeline
 * and event delivery. Not an API: names and signatures here change without notice.
 */
package dev.wsguard.internal;

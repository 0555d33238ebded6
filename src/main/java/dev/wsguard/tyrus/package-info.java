/**
 * Bootstrap for running wsguard on Tyrus standalone (Grizzly), without a Servlet container.
 * {@link dev.wsguard.tyrus.GuardedServer} replaces {@code org.glassfish.tyrus.server.Server}, which binds every
 * interface whatever host it is given, has no TLS option, never times out a connection that does not finish its
 * handshake, keeps a connection open after a refused handshake (re-running the handshake on every further packet),
 * and buffers a whole message before checking its size. Only {@code GuardedServer} and its builder are API;
 * everything else here is package-private plumbing.
 */
package dev.wsguard.tyrus;

/**
 * The catalogue, its raw-socket client and the report writers. Not an API: free to change. The catalogue is the one
 * list of attacks; each entry pairs its description with a small strategy.
 */
package dev.wsguard.probe.internal;

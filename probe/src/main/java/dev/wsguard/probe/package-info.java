/**
 * The wsguard attack kit: {@link dev.wsguard.probe.ProbeSuite} aims one catalogue of attacks at one WebSocket
 * endpoint, guarded by wsguard or not, and returns a {@link dev.wsguard.probe.Report} of verdicts. Every attack is
 * bounded in count and time and connects only to the URL given.
 */
package dev.wsguard.probe;

/**
 * The message guard behind both shapes of guarded endpoint: the endpoint model read and checked at deployment
 * ({@link dev.wsguard.internal.message.EndpointModel}), the pipeline that returns a verdict for each message
 * ({@link dev.wsguard.internal.message.MessagePipeline}), the session guard that applies verdicts and owns the session
 * timers ({@link dev.wsguard.internal.message.SessionGuard}), and the adapter that deploys a standard endpoint
 * wrapped ({@link dev.wsguard.internal.message.AnnotatedEndpointAdapter}). Not an API.
 */
package dev.wsguard.internal.message;

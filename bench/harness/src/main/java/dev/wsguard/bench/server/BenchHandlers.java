package dev.wsguard.bench.server;

import dev.wsguard.GuardedEndpoint;
import dev.wsguard.Handler;
import dev.wsguard.bench.BenchMessage;
import dev.wsguard.bench.Wire;

/** The guarded endpoints' handlers: the same fixed answer as the plain servers, after wsguard's checks. */
abstract class BenchHandlers extends GuardedEndpoint<BenchMessage> {

    @Handler
    String publish(BenchMessage.Publish publish) {
        return Wire.ACK;
    }

    @Handler
    String ping(BenchMessage.Ping ping) {
        return Wire.ACK;
    }
}

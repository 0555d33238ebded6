package dev.wsguard.bench.server;

import dev.wsguard.GuardedEndpoint;
import dev.wsguard.OnMessageType;
import dev.wsguard.bench.BenchMessage;
import dev.wsguard.bench.Wire;

/** The guarded endpoints' handlers: the same fixed answer as the plain servers, after wsguard's checks. */
abstract class BenchHandlers extends GuardedEndpoint<BenchMessage> {

    @OnMessageType
    String publish(BenchMessage.Publish publish) {
        return Wire.ACK;
    }

    @OnMessageType
    String ping(BenchMessage.Ping ping) {
        return Wire.ACK;
    }
}

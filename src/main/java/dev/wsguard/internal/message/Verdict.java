package dev.wsguard.internal.message;

import dev.wsguard.Rejection;

/**
 * What the {@link MessagePipeline} decided about one incoming message: a value, so that deciding and acting stay
 * apart. The session adapter ({@link SessionGuard}) applies it: delivery to the user's method, an error frame, or a
 * close, each with its one security event.
 */
sealed interface Verdict {

    /** Every check passed: {@code message} goes to the route's method. */
    record Deliver(EndpointModel.Route route, Object message) implements Verdict {
    }

    /**
     * Refused for {@code reason}: an error frame, and one violation counted (the session closes with 1008 once the
     * violations in the window reach {@code wsguard.message.max-violations}).
     */
    record Refuse(Rejection reason, String alias) implements Verdict {
    }

    /** Over a rate limit: an error frame {@code rate_limited}, and one excess counted (4429 past the bound). */
    record Throttle(String alias) implements Verdict {
    }

    /** The session closes with the reason's close code. */
    record Close(Rejection reason, String alias) implements Verdict {
    }

    /** {@code {"type":"auth","token":...}} on an authenticated session: an in-band token refresh. */
    record Refresh(String token) implements Verdict {
    }
}

package dev.wsguard;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;

/**
 * An alternative to a standard guarded endpoint (a plain {@code @ServerEndpoint} with {@code @OnMessage}, see
 * {@link WsGuardConfigurator}): a base class with one {@link OnMessageType} method per message type. Both shapes run the
 * same checks, in this order: size, per-session flood limit, strict decoding into the message family (a sealed
 * interface of records with a JSON-B type discriminator), bean validation, the authorization rules
 * ({@code @RolesAllowed}, {@code @PermitAll}, {@code @DenyAll}, {@link RequiresScope}) on the message type and on the
 * handler, {@link Channel} rules, and {@link RateLimit}s; then the handler for the message's type runs. Choose the
 * base class when one method per message type reads better than one {@code @OnMessage} over the family.
 *
 * <pre>{@code
 * @ServerEndpoint(value = "/chat", configurator = WsGuardConfigurator.class)
 * public class ChatEndpoint extends GuardedEndpoint<ChatMessage> {
 *     @OnMessageType
 *     Pong ping(Ping ping) { return new Pong(); }
 * }
 * }</pre>
 *
 * <p>wsguard deploys the subclass wrapped, as it does a standard endpoint ({@code GuardedServer} on Tyrus
 * standalone, by itself in a WAR): the runtime hands every frame to wsguard, which calls {@link #opened},
 * the handlers and {@link #closed}. A runtime that deploys it unwrapped gets every handshake refused (500). The
 * session closes with 4401 when its token expires (a timer, not the next message). A message type with no
 * authorization rule is refused ({@code forbidden}); a type without a handler fails deployment, and so does an
 * {@code @OnMessage}, {@code @OnOpen}, {@code @OnClose} or {@code @OnError} in a subclass (override {@link #opened}
 * and {@link #closed} instead). Answers: malformed input closes with 1007 (or an error frame, by configuration), an
 * oversized message closes with 1009, a binary message closes with 1003, a refused message gets
 * {@code {"type":"error","code":"forbidden"|"invalid"|"rate_limited"}} and the session stays usable until the
 * violations in the window pass {@code wsguard.message.max-violations} (then 1008, or 4429 for rate limits).
 *
 * @param <M> the message family: a sealed interface annotated with {@code @JsonbTypeInfo}, named as the type
 *            argument ({@code extends GuardedEndpoint<ChatMessage>})
 */
public abstract class GuardedEndpoint<M> {

    /**
     * Called once the session is open, guarded and authenticated; {@code WsGuard.identity(session)} is available.
     * In first-message mode ({@code wsguard.auth.mode=first-message}) that is when its auth message has been
     * verified; a session that never authenticates never reaches this method (nor {@link #closed}).
     */
    protected void opened(Session session) {
    }

    /** Called when a session that reached {@link #opened} has closed, for whatever reason. */
    protected void closed(Session session, CloseReason reason) {
    }
}

package dev.wsguard;

import dev.wsguard.internal.PartialText;
import dev.wsguard.internal.message.SessionGuard;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;


/**
 * An alternative to a standard guarded endpoint (a plain {@code @ServerEndpoint} with {@code @OnMessage}, see
 * {@link WsGuardConfigurator}): a base class with one {@link Handler} method per message type. Both shapes run the
 * same checks. Choose the base class when one method per message type reads better than one {@code switch}.
 *
 * <p>The base of a guarded {@code @ServerEndpoint}: it owns the endpoint's only text {@code @OnMessage}, so no message
 * can reach user code without passing every check, in this order: size, per-session flood limit, strict decoding
 * into the message family (a sealed interface of records with a JSON-B type discriminator), bean validation, the
 * authorization rules ({@code @RolesAllowed}, {@code @PermitAll}, {@code @DenyAll}, {@link RequiresScope}) on the
 * message type and on the handler, {@link Channel} rules, and {@link RateLimit}s; then the {@link Handler} method
 * for the message's type runs.
 *
 * <pre>{@code
 * @ServerEndpoint(value = "/chat", configurator = WsGuardConfigurator.class)
 * public class ChatEndpoint extends GuardedEndpoint<ChatMessage> {
 *     @Handler
 *     Pong ping(Ping ping) { return new Pong(); }
 * }
 * }</pre>
 *
 * <p>The session closes with 4401 when its token expires (a timer, not the next message). A message type with no
 * authorization rule is refused ({@code forbidden}); a type without a handler fails deployment. Declaring
 * {@code @OnMessage}, {@code @OnOpen} or {@code @OnClose} in a subclass fails deployment too (override
 * {@link #opened} and {@link #closed} instead) (Tyrus refuses two text handlers; {@code GuardedServer}
 * refuses binary and pong handlers on a guarded endpoint). Answers: malformed input closes with 1007 (or an error
 * frame, by configuration), an oversized message closes with 1009, a refused message gets
 * {@code {"type":"error","code":"forbidden"|"invalid"|"rate_limited"}} and the session stays usable until the
 * violations in the window pass {@code wsguard.message.max-violations} (then 1008, or 4429 for rate limits).
 *
 * @param <M> the message family: a sealed interface annotated with {@code @JsonbTypeInfo}, named as the type
 *            argument ({@code extends GuardedEndpoint<ChatMessage>})
 */
public abstract class GuardedEndpoint<M> {

    /** Every session starts here: the guard arms its timers, then {@link #opened} runs. Not for user code. */
    @OnOpen
    public final void onGuardedOpen(Session session) {
        if (SessionGuard.of(session, getClass()).opened(session)) {
            opened(session);
        }
    }

    /**
     * Every text message of the session enters here, part by part, so the size cap holds while reading on every
     * runtime (a message is refused with 1009 at the first part over the cap, never buffered whole). Not for user
     * code.
     */
    @OnMessage
    public final void onGuardedMessage(String part, boolean last, Session session) {
        SessionGuard guard = SessionGuard.of(session, getClass());
        String text = PartialText.add(session, part, last, guard.maxMessageBytes(), () -> guard.tooBig(session));
        if (text != null && guard.text(this, text, session)) {
            // First-message mode: the session has just authenticated.
            opened(session);
        }
    }

    /** Every session ends here: the guard releases what it held, then {@link #closed} runs. Not for user code. */
    @OnClose
    public final void onGuardedClose(Session session, CloseReason reason) {
        boolean wasOpened = session.getUserProperties().get(WsGuard.IDENTITY) != null;
        try {
            SessionGuard.closed(session, reason);
        } finally {
            if (wasOpened) {
                closed(session, reason);
            }
        }
    }

    /**
     * Called once the session is open, guarded and authenticated; {@code WsGuard.identity(session)} is available.
     * In first-message mode ({@code wsguard.auth.mode=first-message}) that is when its auth message has been
     * verified; a session that never authenticates never reaches this method (nor {@link #closed}). Override it
     * instead of declaring {@code @OnOpen}.
     */
    protected void opened(Session session) {
    }

    /**
     * Called when a session that reached {@link #opened} has closed, for whatever reason. Override it instead of
     * declaring {@code @OnClose}.
     */
    protected void closed(Session session, CloseReason reason) {
    }
}

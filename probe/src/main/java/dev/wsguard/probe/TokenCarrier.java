package dev.wsguard.probe;

/** Where the probe puts a token on the upgrade request; the endpoint's own choice. */
public enum TokenCarrier {
    /** {@code Authorization: Bearer <token>}. */
    HEADER,
    /** {@code Sec-WebSocket-Protocol: bearer, <token>}, as browsers must send it. */
    SUBPROTOCOL,
    /** {@code ?access_token=<token>}. */
    QUERY,
    /** {@code Cookie: <name>=<token>}, the cookie's name given apart ({@code Bearer}, wsguard's, unless set). */
    COOKIE
}

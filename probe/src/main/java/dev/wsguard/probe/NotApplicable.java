package dev.wsguard.probe;

/**
 * Thrown when an attack cannot be built or run against this endpoint: an option it needs was not given, or the
 * endpoint's token or sample lacks what the attack changes. The probe reports it as {@link Verdict#NOT_RUN}.
 */
public class NotApplicable extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** {@code why}: what is missing, in a few words. */
    public NotApplicable(String why) {
        super(why, null, false, false);
    }
}

package dev.wsguard.probe;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * A limit the endpoint enforces and the probe respects outside the flood that tests it: {@code count} per
 * {@code period}, written {@code 50/PT10S}. Immutable and thread-safe.
 */
public record Rate(int count, Duration period) {

    public Rate {
        if (count < 1 || period == null || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("a rate needs a count of at least 1 and a positive period");
        }
    }

    /**
     * Reads {@code COUNT/PERIOD}, the period in ISO-8601 ({@code 50/PT1S}).
     *
     * @throws IllegalArgumentException when the text is not of that form
     */
    public static Rate parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected COUNT/PERIOD such as 50/PT1S, got '" + text + "'");
        }
        try {
            return new Rate(Integer.parseInt(text.substring(0, slash).strip()),
                    Duration.parse(text.substring(slash + 1).strip()));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("expected COUNT/PERIOD such as 50/PT1S, got '" + text + "'", e);
        }
    }

    /** The shortest spacing of events that stays within this rate, with a small margin. */
    public Duration spacing() {
        return period.multipliedBy(21).dividedBy(20L * count);
    }

    @Override
    public String toString() {
        return count + "/" + period;
    }
}

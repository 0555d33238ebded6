package dev.wsguard.probe;

import java.time.Duration;

/**
 * The outcome of one attack.
 *
 * @param attack   the attack
 * @param verdict  what it showed
 * @param observed what the endpoint did, or why the attack was not run; never contains a token
 * @param took     how long the attack ran
 */
public record Result(Attack attack, Verdict verdict, String observed, Duration took) {
}

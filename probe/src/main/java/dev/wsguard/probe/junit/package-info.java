/**
 * The catalogue in JUnit 5 tests: one dynamic test per attack, or one assertion over a whole report. JUnit is not
 * shipped with the kit; the test classpath supplies it.
 */
package dev.wsguard.probe.junit;

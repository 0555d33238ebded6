/**
 * The command line: {@code java -jar wsguard-probe.jar [options] URL}. It maps options onto the suite builder and
 * exits 0, 1 (findings) or 2 (usage error, or a failed control).
 */
package dev.wsguard.probe.cli;

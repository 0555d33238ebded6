package dev.wsguard.probe;

/** What one attack showed. */
public enum Verdict {
    /** The endpoint gave the answer a guarded endpoint must give. */
    PASS,
    /** The endpoint accepted or answered what it should have refused: a weakness to look at. */
    FINDING,
    /** The attack could not be run or could not decide (the reason is in the observation); never a pass. */
    NOT_RUN
}

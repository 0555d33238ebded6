/**
 * The chat's sign-in as an application without wsguard writes it, deployed beside the guarded example for contrast:
 * the browser tests show a cross-site page taking this endpoint over with the victim's cookie, and the same page
 * refused by the guarded one.
 */
package dev.wsguard.contract.naive;

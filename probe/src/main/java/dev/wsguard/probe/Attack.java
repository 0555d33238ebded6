package dev.wsguard.probe;

/**
 * One entry of the catalogue, as reports show it.
 *
 * @param id       stable identifier, {@code category.name} (for example {@code origin.foreign})
 * @param category the family it belongs to: control, origin, auth, authz, inject, size, flood, slow, transport
 * @param title    what the attack does, in a few words
 * @param expected what a guarded endpoint must answer
 */
public record Attack(String id, String category, String title, String expected) {
}

/**
 * Jakarta EE integration, active only in a WAR on a Servlet container (Payara, WildFly): a
 * {@link jakarta.servlet.ServletContainerInitializer} registers a filter that checks every upgrade to a guarded
 * endpoint before the 101, with the exact 401/403/429 and headers, and security events are also fired as CDI
 * events. Nothing here needs configuring or naming in code.
 */
package dev.wsguard.ee;

package dev.wsguard.ee;

import dev.wsguard.SecurityEvent;
import dev.wsguard.SecurityEventListener;
import dev.wsguard.internal.Classes;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fires every {@link SecurityEvent} as a CDI event, so an application observes them with
 * {@code void on(@Observes SecurityEvent event)} on any bean, with no registration. Loaded as a
 * {@link java.util.ServiceLoader} service; does nothing where CDI is absent (Tyrus standalone). Events raised on a
 * thread where the container offers no CDI (some timer threads) are not fired; that is logged once.
 */
public final class CdiSecurityEvents implements SecurityEventListener {

    private static final System.Logger LOG = System.getLogger("dev.wsguard");
    private static final boolean CDI_PRESENT = Classes.present("jakarta.enterprise.inject.spi.CDI");

    private final AtomicBoolean reported = new AtomicBoolean();

    /** Whether CDI is on the class path, so that this listener can fire anything at all. */
    public static boolean canFire() {
        return CDI_PRESENT;
    }

    /** Instantiated by the {@link java.util.ServiceLoader}. */
    public CdiSecurityEvents() {
    }

    @Override
    public void onEvent(SecurityEvent event) {
        if (CDI_PRESENT && !Cdi.fire(event) && reported.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.DEBUG, "no CDI container on thread " + Thread.currentThread().getName()
                    + ": security events raised there are not fired as CDI events");
        }
    }


    /** Loaded only when the CDI API is on the class path. */
    private static final class Cdi {
        static boolean fire(SecurityEvent event) {
            jakarta.enterprise.inject.spi.BeanManager beans;
            try {
                beans = jakarta.enterprise.inject.spi.CDI.current().getBeanManager();
            } catch (IllegalStateException e) {
                return false;
            }
            beans.getEvent().select(SecurityEvent.class).fire(event);
            return true;
        }
    }
}

package dev.wsguard.internal;

import dev.wsguard.internal.cluster.ClusterStore;
import dev.wsguard.internal.cluster.ConnectionCounts;
import dev.wsguard.internal.cluster.LocalStore;
import dev.wsguard.internal.cluster.StoreUnavailableException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The connection quotas over a cluster store that fails (fail-closed): the refusal holds nothing, in any count, so an
 * outage never shrinks a quota for good.
 */
class ConnectionQuotasStoreTest {

    /** The local store, but user counts fail while {@code down} is set; the proxy forwards everything else. */
    static final class FlakyStore {
        volatile boolean down;
        final ClusterStore store = (ClusterStore) Proxy.newProxyInstance(ClusterStore.class.getClassLoader(),
                new Class<?>[] {ClusterStore.class}, (proxy, method, args) -> method.getName().equals("counts")
                        ? counts((ClusterStore.Scope) args[0]) : method.invoke(LocalStore.INSTANCE, args));

        private ConnectionCounts counts(ClusterStore.Scope scope) {
            ConnectionCounts local = LocalStore.INSTANCE.counts(scope);
            return scope == ClusterStore.Scope.ADDRESS ? local : new ConnectionCounts() {
                @Override
                public Object acquire(String endpoint, String key, int max) {
                    if (down) {
                        throw new StoreUnavailableException("down", null);
                    }
                    return local.acquire(endpoint, key, max);
                }

                @Override
                public void release(String endpoint, String key, Object handle) {
                    local.release(endpoint, key, handle);
                }

                @Override
                public int trackedKeys() {
                    return local.trackedKeys();
                }
            };
        }
    }

    @Test
    void acquireWhenStoreDownThenThrowsAndHoldsNothing() {
        FlakyStore store = new FlakyStore();
        ConnectionQuotas quotas = new ConnectionQuotas(1, 1, 1, 100_000, store.store);
        store.down = true;
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> quotas.acquire("192.0.2.1", "ann"))
                    .isInstanceOf(StoreUnavailableException.class);
        }
        assertThat(quotas.open()).as("endpoint count given back").isZero();
        assertThat(quotas.trackedKeys()).as("the address's count given back").isZero();
        store.down = false;
        ConnectionQuotas.Slot slot = quotas.acquire("192.0.2.1", "ann");
        assertThat(slot).as("quotas of 1 are whole again after the outage").isNotNull();
        slot.release();
        assertThat(quotas.open()).isZero();
    }

    @Test
    void bindUserWhenStoreDownThenThrowsAndSlotStillReleasesCleanly() {
        FlakyStore store = new FlakyStore();
        ConnectionQuotas quotas = new ConnectionQuotas(1, 1, 1, 100_000, store.store);
        ConnectionQuotas.Slot slot = quotas.acquire("192.0.2.1", null);
        store.down = true;
        assertThatThrownBy(() -> slot.bindUser("ann")).isInstanceOf(StoreUnavailableException.class);
        slot.release();
        assertThat(quotas.open()).isZero();
        assertThat(quotas.trackedKeys()).isZero();
        store.down = false;
        ConnectionQuotas.Slot again = quotas.acquire("192.0.2.1", null);
        assertThat(again.bindUser("ann")).as("the user's quota was never taken").isTrue();
        again.release();
    }
}

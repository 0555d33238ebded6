package dev.wsguard.internal;

import dev.wsguard.GuardConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OriginAllowlistTest {

    private final OriginAllowlist allowlist = OriginAllowlist.of(List.of(
            "https://app.example.com", "https://*.tenant.example.com", "http://localhost:8080", "http://[::1]:9000"));

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example.com", "https://APP.Example.COM", "https://app.example.com:443",
            "HTTPS://app.example.com", "https://a.tenant.example.com", "https://a.b.tenant.example.com",
            "http://localhost:8080", "http://[::1]:9000"})
    void allowsWhenSameOriginAfterNormalisationThenTrue(String origin) {
        assertThat(allowlist.allows(origin)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://evil.com", "null", "", " https://app.example.com", "https://app.example.com ",
            "https://app.example.com/", "https://app.example.com/path", "https://app.example.com.evil.net",
            "https://evilapp.example.com", "https://app.example.co", "https://pp.example.com",
            "http://app.example.com", "wss://app.example.com", "https://app.example.com:8443",
            "https://app.example.com:0443", "https://app.example.com:", "https://app.example.com.",
            "https://user@app.example.com", "https://app.example.com#x", "https://app.example.com?x",
            "https://tenant.example.com", "https://evil-tenant.example.com", "https://tenant.example.com.evil.net",
            "http://a.tenant.example.com", "https://a.tenant.example.com:444", "https://*.tenant.example.com",
            "http://localhost", "http://localhost:80800", "http://localhost:8081", "http://127.0.0.1:8080",
            "https://app.example.com,https://evil.com", "https://app.example.\u212Aom",
            "https://\u0430pp.example.com", "https://app.example.com\r\nX: y", "http://[::1]:9001"})
    void allowsWhenLookAlikeOrMalformedThenFalse(String origin) {
        assertThat(allowlist.allows(origin)).isFalse();
    }

    @Test
    void allowsWhenKelvinSignWouldCaseFoldIntoAllowedHostThenFalse() {
        OriginAllowlist kiosk = OriginAllowlist.of(List.of("https://kiosk.example.com"));
        assertThat("https://\u212Aiosk.example.com".toLowerCase(java.util.Locale.ROOT))
                .isEqualTo("https://kiosk.example.com");
        assertThat(kiosk.allows("https://\u212Aiosk.example.com")).isFalse();
        assertThat(kiosk.allows("https://kiosk.example.com")).isTrue();
    }

    @Test
    void allowsWhenNullThenFalse() {
        assertThat(allowlist.allows(null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "null", "https://app.example.com/", "app.example.com", "https://*",
            "https://*.com", "https://a.*.example.com", "https://app.example.com:99999", "https://\u212A.example.com"})
    void ofWhenEntryUnsafeOrMalformedThenConfigException(String entry) {
        assertThatThrownBy(() -> OriginAllowlist.of(List.of(entry))).isInstanceOf(GuardConfigException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a://[5]", "http://[:]", "https://[1.2.3.4]", "http://[::1::2]:3000", "http://[12345::]",
            "a://[00009::]"})
    void ofWhenBracketedHostIsNotAnIpv6AddressThenConfigException(String entry) {
        // Found by OriginAllowlistFuzzTest: "a://[5]", then "a://[00009::]", accepted as entries, allowed themselves.
        assertThatThrownBy(() -> OriginAllowlist.of(List.of(entry))).isInstanceOf(GuardConfigException.class);
    }

    @Test
    void allowsWhenBracketedIpv6LiteralThenOnlyThatLiteral() {
        OriginAllowlist loopback = OriginAllowlist.of(List.of("http://[::1]:3000", "http://[::ffff:127.0.0.1]"));
        assertThat(loopback.allows("http://[::1]:3000")).isTrue();
        assertThat(loopback.allows("http://[::ffff:127.0.0.1]")).isTrue();
        assertThat(loopback.allows("http://[5]:3000")).isFalse();
        assertThat(loopback.allows("http://[::1]")).isFalse();
    }

    @Test
    void ofWhenEmptyThenConfigException() {
        assertThatThrownBy(() -> OriginAllowlist.of(List.of())).isInstanceOf(GuardConfigException.class);
        assertThatThrownBy(() -> OriginAllowlist.of(List.of(" ", ""))).isInstanceOf(GuardConfigException.class);
    }

    @Test
    void entryForWhenSerialisedOriginThenSameEntryAsTheFullCheckInListOrder() {
        OriginAllowlist list = OriginAllowlist.of(List.of("https://*.example.com", "HTTPS://App.Example.com:443",
                "http://localhost:8080"));
        assertThat(list.entryFor("https://app.example.com")).as("the first entry that matches, as before")
                .contains("https://*.example.com");
        assertThat(list.entryFor("http://localhost:8080")).contains("http://localhost:8080");
        assertThat(list.entryFor("https://app.example.com:443")).as("explicit default port, parsed")
                .contains("https://*.example.com");
        assertThat(list.entryFor("HTTPS://APP.EXAMPLE.COM")).as("upper case, parsed").isPresent();
        assertThat(list.entryFor("http://localhost:8081")).isEmpty();
        assertThat(list.entryFor("http://localhost:8080 ")).as("no trimming").isEmpty();
    }
}

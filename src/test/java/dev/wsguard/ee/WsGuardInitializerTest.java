package dev.wsguard.ee;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WsGuardInitializerTest {

    @Test
    void urlPatternWhenPlainPathThenExact() {
        assertThat(WsGuardInitializer.urlPattern("/chat")).isEqualTo("/chat");
    }

    @Test
    void urlPatternWhenRootThenContextRootOnly() {
        assertThat(WsGuardInitializer.urlPattern("/")).isEmpty();
    }

    @Test
    void urlPatternWhenTemplateThenPrefixUpToFirstVariable() {
        assertThat(WsGuardInitializer.urlPattern("/rooms/{id}/live")).isEqualTo("/rooms/*");
        assertThat(WsGuardInitializer.urlPattern("/{tenant}")).isEqualTo("/*");
    }

    @Test
    void pathMatcherWhenTemplateThenVariablesMatchOneSegment() {
        var matcher = WsGuardInitializer.pathMatcher("/rooms/{id}/live");
        assertThat(matcher.matcher("/rooms/42/live").matches()).isTrue();
        assertThat(matcher.matcher("/rooms/42/x/live").matches()).isFalse();
        assertThat(matcher.matcher("/rooms/42/other").matches()).isFalse();
    }

    @Test
    void pathMatcherWhenLiteralThenRegexCharactersAreLiteral() {
        var matcher = WsGuardInitializer.pathMatcher("/a.b");
        assertThat(matcher.matcher("/a.b").matches()).isTrue();
        assertThat(matcher.matcher("/axb").matches()).isFalse();
    }
}

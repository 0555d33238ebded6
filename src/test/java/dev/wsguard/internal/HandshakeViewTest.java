package dev.wsguard.internal;

import dev.wsguard.internal.tyrus.TyrusAdapter;
import org.glassfish.tyrus.core.RequestContext;
import org.junit.jupiter.api.Test;

import java.net.URI;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Header lookup, whether the runtime's header map is ordered case-insensitively (Tyrus) or not (Undertow). */
class HandshakeViewTest {

    @Test
    void aCaseInsensitiveMapIsReadWithItsOwnLookupAndGivesTheSameValues() {
        Map<String, List<String>> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sorted.put("origin", List.of("https://a.test"));
        sorted.put("Authorization", List.of("Bearer x", "Bearer y"));
        Map<String, List<String>> plain = new LinkedHashMap<>(sorted);
        for (Map<String, List<String>> headers : List.of(sorted, plain)) {
            HandshakeView view = new HandshakeView("/p", headers, Map.of(), null);
            assertThat(view.header("Origin")).containsExactly("https://a.test");
            assertThat(view.header("ORIGIN")).containsExactly("https://a.test");
            assertThat(view.header("authorization")).containsExactly("Bearer x", "Bearer y");
            assertThat(view.header("Cookie")).isEmpty();
            assertThatThrownBy(() -> view.header("Origin").add("https://evil.test"))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void tyrusRequestsFoldHeaderNamesThemselves() {
        // The guard reads a Tyrus request's headers with one lookup a name: that holds only while Tyrus keeps them
        // in a case-insensitive map, which this checks against the Tyrus on the class path.
        RequestContext request = RequestContext.Builder.create().requestURI(URI.create("/p")).build();
        request.getHeaders().put("Origin", List.of("https://a.test"));
        assertThat(TyrusAdapter.foldsHeaderNames(request)).isTrue();
        assertThat(request.getHeaders()).containsKey("ORIGIN").hasSize(1);
        HandshakeView view = new HandshakeView("/p", request.getHeaders(), Map.of(), null,
                TyrusAdapter.foldsHeaderNames(request));
        assertThat(view.header("origin")).containsExactly("https://a.test");
    }

    @Test
    void everySpellingCountsWhereTheMapKeepsThemApart() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Origin", List.of("https://a.test"));
        headers.put("ORIGIN", List.of("https://b.test"));
        assertThat(new HandshakeView("/p", headers, Map.of(), null).header("origin"))
                .containsExactly("https://a.test", "https://b.test");
    }

    @Test
    void anEmptyValueListIsAbsentOnBothPaths() {
        Map<String, List<String>> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sorted.put("Origin", List.of());
        assertThat(new HandshakeView("/p", sorted, Map.of(), null).header("Origin")).isEmpty();
        assertThat(new HandshakeView("/p", new LinkedHashMap<>(sorted), Map.of(), null).header("Origin")).isEmpty();
    }
}

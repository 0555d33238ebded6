package dev.wsguard.message;

import dev.wsguard.GuardConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrictJsonReaderBuildTest {

    @Test
    void ofWhenFamilyHasNoTypeInfoThenConfigError() {
        assertThatThrownBy(() -> StrictJsonReader.of(BadFamilies.NoTypeInfo.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("@JsonbTypeInfo");
        assertThatThrownBy(() -> StrictJsonReader.of(ChatMessage.Ping.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("@JsonbTypeInfo");
    }

    @Test
    void ofWhenNoSubtypesThenConfigError() {
        assertThatThrownBy(() -> StrictJsonReader.of(BadFamilies.Empty.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("no @JsonbSubtype");
    }

    @Test
    void ofWhenSubtypeIsNotARecordThenConfigError() {
        assertThatThrownBy(() -> StrictJsonReader.of(BadFamilies.NotARecord.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("not a record");
    }

    @Test
    void ofWhenRecordIsNotPublicThenConfigError() {
        assertThatThrownBy(() -> StrictJsonReader.of(BadFamilies.HiddenFamily.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("must be public");
    }

    @Test
    void ofWhenComponentTypeUnsupportedThenConfigError() {
        assertThatThrownBy(() -> StrictJsonReader.of(BadFamilies.ObjectComponent.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("Loose.payload");
        assertThatThrownBy(() -> StrictJsonReader.of(BadFamilies.WildcardComponent.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("Loose.items");
        assertThatThrownBy(() -> StrictJsonReader.of(BadFamilies.IntegerKeys.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("Map<java.lang.Integer");
        assertThatThrownBy(() -> StrictJsonReader.of(BadFamilies.Nested.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("Outer.inner");
    }

    @Test
    void ofWhenSealedFamilyPermitsTypeWithoutAliasThenConfigError() {
        assertThatThrownBy(() -> StrictJsonReader.of(BadFamilies.SealedMissingAlias.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("SealedMissingAlias$B");
    }

    @Test
    void ofWhenComponentNamedLikeTypeKeyThenConfigError() {
        assertThatThrownBy(() -> StrictJsonReader.of(BadFamilies.TypeKeyClash.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("type key");
    }

    @Test
    void ofWhenFormatOrCreatorChangesTheShapeThenConfigError() {
        assertThatThrownBy(() -> StrictJsonReader.of(BadFamilies.Formatted.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("@JsonbNumberFormat");
        assertThatThrownBy(() -> StrictJsonReader.of(BadFamilies.Creator.class))
                .isInstanceOf(GuardConfigException.class).hasMessageContaining("@JsonbCreator");
    }

    @Test
    void ofWhenNullThenNullPointer() {
        assertThatThrownBy(() -> StrictJsonReader.of(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> StrictJsonReader.of(ChatMessage.class, null))
                .isInstanceOf(NullPointerException.class);
    }
}

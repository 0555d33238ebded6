package dev.wsguard.message;

import dev.wsguard.GuardConfigException;
import jakarta.json.bind.annotation.JsonbCreator;
import jakarta.json.bind.annotation.JsonbDateFormat;
import jakarta.json.bind.annotation.JsonbNumberFormat;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTransient;
import jakarta.json.bind.annotation.JsonbTypeAdapter;
import jakarta.json.bind.annotation.JsonbTypeDeserializer;
import jakarta.json.bind.annotation.JsonbTypeInfo;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A message family read from its annotations: the discriminator key, each alias with the shape of its record, and
 * every record reachable from them. Built once; refuses (with {@link GuardConfigException}) any family whose JSON
 * the strict reader could not check exactly: no {@code @JsonbTypeInfo}, a subtype that is not a public record,
 * a component type outside the supported set, custom adapters or formats. Immutable and thread-safe.
 */
final class MessageSchema {

    /** Types JSON-B reads from a JSON string with its own parser; the shape only demands a string. */
    private static final Set<Class<?>> STRING_ENCODED = Set.of(String.class, UUID.class, URI.class, Instant.class,
            LocalDate.class, LocalTime.class, LocalDateTime.class, OffsetDateTime.class, ZonedDateTime.class,
            Duration.class);

    private static final List<Class<? extends Annotation>> UNSUPPORTED_ON_COMPONENTS = List.of(
            JsonbTypeAdapter.class, JsonbTypeDeserializer.class, JsonbNumberFormat.class, JsonbDateFormat.class,
            JsonbTransient.class, JsonbTypeInfo.class);
    private static final List<Class<? extends Annotation>> UNSUPPORTED_ON_TYPES = List.of(
            JsonbTypeAdapter.class, JsonbTypeDeserializer.class, JsonbNumberFormat.class, JsonbDateFormat.class,
            JsonbTypeInfo.class);
    private static final List<Class<? extends Annotation>> UNSUPPORTED_ON_PACKAGES = List.of(
            JsonbNumberFormat.class, JsonbDateFormat.class);

    private final String typeKey;
    private final Map<String, Shape.RecordOf> byAlias;
    private final Map<Class<?>, String> aliases;
    private final Map<Class<?>, Shape.RecordOf> records = new LinkedHashMap<>();

    private MessageSchema(Class<?> family) {
        JsonbTypeInfo info = family.getAnnotation(JsonbTypeInfo.class);
        if (info == null) {
            throw new GuardConfigException(family.getName() + " has no @JsonbTypeInfo: a message family is an "
                    + "interface listing its records with @JsonbTypeInfo(key = \"type\", value = @JsonbSubtype(...))");
        }
        if (info.value().length == 0) {
            throw new GuardConfigException("@JsonbTypeInfo on " + family.getName() + " lists no @JsonbSubtype");
        }
        this.typeKey = info.key();
        Map<String, Shape.RecordOf> shapes = new LinkedHashMap<>();
        Map<Class<?>, String> names = new LinkedHashMap<>();
        for (JsonbSubtype subtype : info.value()) {
            Class<?> type = subtype.type();
            String alias = subtype.alias();
            if (alias.isEmpty() || shapes.containsKey(alias)) {
                throw new GuardConfigException(family.getName() + ": alias \"" + alias + "\" is empty or repeated");
            }
            if (names.containsKey(type)) {
                throw new GuardConfigException(family.getName() + ": " + type.getName() + " is listed twice");
            }
            if (!family.isAssignableFrom(type)) {
                throw new GuardConfigException(type.getName() + " is not a " + family.getName());
            }
            if (!type.isRecord()) {
                throw new GuardConfigException(type.getName() + " (alias \"" + alias + "\") is not a record: the "
                        + "strict reader decodes records only, and no nested polymorphism");
            }
            Shape.RecordOf shape = recordShape(type);
            if (shape.names().contains(typeKey)) {
                throw new GuardConfigException(type.getName() + " has a component named like the type key \""
                        + typeKey + "\"");
            }
            shapes.put(alias, shape);
            names.put(type, alias);
        }
        if (family.isSealed()) {
            for (Class<?> permitted : family.getPermittedSubclasses()) {
                if (!names.containsKey(permitted)) {
                    throw new GuardConfigException(family.getName() + " permits " + permitted.getName()
                            + " but @JsonbTypeInfo gives it no alias: it could never be received");
                }
            }
        }
        this.byAlias = Collections.unmodifiableMap(shapes);
        this.aliases = Collections.unmodifiableMap(names);
    }

    static MessageSchema of(Class<?> family) {
        return new MessageSchema(family);
    }

    String typeKey() {
        return typeKey;
    }

    /** The record shape for a discriminator value, or null for an unknown alias. */
    Shape.RecordOf shape(String alias) {
        return byAlias.get(alias);
    }

    /** Each concrete record type with its alias, in declaration order. */
    Map<Class<?>, String> aliases() {
        return aliases;
    }

    /** Every record type reachable from the family, subtypes first. */
    Set<Class<?>> records() {
        return Collections.unmodifiableSet(records.keySet());
    }

    private Shape.RecordOf recordShape(Class<?> type) {
        Shape.RecordOf known = records.get(type);
        if (known != null) {
            return known;
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            // Yasson fails on non-public records ("Error accessing getter") even when only reading them.
            throw new GuardConfigException(type.getName() + " must be public for JSON-B to bind it");
        }
        refuse(type, type, UNSUPPORTED_ON_TYPES);
        refuse(type.getPackage(), type, UNSUPPORTED_ON_PACKAGES);
        RecordComponent[] components = type.getRecordComponents();
        Constructor<?> canonical = canonicalConstructor(type, components);
        refuseOtherCreators(type, canonical);

        Shape.RecordOf shape = new Shape.RecordOf(type);
        records.put(type, shape);
        Map<String, Shape.RecordOf.Property> properties = new HashMap<>();
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            String where = type.getName() + "." + component.getName();
            AnnotatedElement[] sites = sites(type, component, canonical.getParameters()[i]);
            for (AnnotatedElement site : sites) {
                refuse(site, where, UNSUPPORTED_ON_COMPONENTS);
            }
            String name = jsonName(component, sites, where);
            Shape componentShape = shapeOf(component.getGenericType(), where);
            if (properties.put(name, new Shape.RecordOf.Property(i, componentShape,
                    component.getType().isPrimitive())) != null) {
                throw new GuardConfigException(where + ": JSON name \"" + name + "\" is used twice");
            }
        }
        shape.define(properties);
        return shape;
    }

    private Shape shapeOf(Type type, String where) {
        if (type instanceof Class<?> c) {
            return classShape(c, where);
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments();
            if (raw == List.class || raw == Set.class || raw == Collection.class) {
                return Shape.nullable(new Shape.ArrayOf(shapeOf(args[0], where)));
            }
            if (raw == Map.class && args[0] == String.class) {
                return Shape.nullable(new Shape.MapOf(shapeOf(args[1], where)));
            }
            if (raw == Optional.class) {
                return Shape.nullable(shapeOf(args[0], where));
            }
        }
        if (type instanceof GenericArrayType array) {
            return Shape.nullable(new Shape.ArrayOf(shapeOf(array.getGenericComponentType(), where)));
        }
        throw unsupported(type, where);
    }

    private Shape classShape(Class<?> c, String where) {
        if (c.isPrimitive()) {
            return primitive(c, where);
        }
        Class<?> unboxed = unbox(c);
        if (unboxed != null) {
            return Shape.nullable(primitive(unboxed, where));
        }
        if (STRING_ENCODED.contains(c)) {
            return Shape.nullable(Shape.Scalar.STRING);
        }
        if (c.isEnum()) {
            refuse(c, where, UNSUPPORTED_ON_TYPES);
            return Shape.nullable(new Shape.EnumConstant(Arrays.stream(c.getEnumConstants())
                    .map(e -> ((Enum<?>) e).name()).collect(Collectors.toSet())));
        }
        if (c.isArray()) {
            return Shape.nullable(new Shape.ArrayOf(shapeOf(c.getComponentType(), where)));
        }
        if (c.isRecord()) {
            return Shape.nullable(recordShape(c));
        }
        throw unsupported(c, where);
    }

    private static Shape primitive(Class<?> c, String where) {
        if (c == int.class) {
            return new Shape.IntegerRange(Integer.MIN_VALUE, Integer.MAX_VALUE);
        } else if (c == long.class) {
            return new Shape.IntegerRange(Long.MIN_VALUE, Long.MAX_VALUE);
        } else if (c == short.class) {
            return new Shape.IntegerRange(Short.MIN_VALUE, Short.MAX_VALUE);
        } else if (c == byte.class) {
            return new Shape.IntegerRange(Byte.MIN_VALUE, Byte.MAX_VALUE);
        } else if (c == double.class) {
            return new Shape.FloatingPoint(false);
        } else if (c == float.class) {
            return new Shape.FloatingPoint(true);
        } else if (c == boolean.class) {
            return Shape.Scalar.BOOLEAN;
        } else if (c == char.class) {
            return Shape.Scalar.CHAR;
        }
        throw unsupported(c, where);
    }

    private static Class<?> unbox(Class<?> c) {
        if (c == Integer.class) {
            return int.class;
        } else if (c == Long.class) {
            return long.class;
        } else if (c == Short.class) {
            return short.class;
        } else if (c == Byte.class) {
            return byte.class;
        } else if (c == Double.class) {
            return double.class;
        } else if (c == Float.class) {
            return float.class;
        } else if (c == Boolean.class) {
            return boolean.class;
        } else if (c == Character.class) {
            return char.class;
        }
        return null;
    }

    private static GuardConfigException unsupported(Type type, String where) {
        return new GuardConfigException(where + ": type " + type.getTypeName() + " is not supported by the strict "
                + "reader (use String, primitives and their boxes, enums, UUID, URI, java.time types, public records, "
                + "arrays, List/Set/Collection, Map<String, V> or Optional of these)");
    }

    private static Constructor<?> canonicalConstructor(Class<?> type, RecordComponent[] components) {
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            return type.getDeclaredConstructor(types);
        } catch (NoSuchMethodException impossible) {
            throw new GuardConfigException(type.getName() + " has no canonical constructor", impossible);
        }
    }

    /** JSON-B would bind through another creator, whose parameters the component shapes do not describe. */
    private static void refuseOtherCreators(Class<?> type, Constructor<?> canonical) {
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            if (!constructor.equals(canonical) && constructor.isAnnotationPresent(JsonbCreator.class)) {
                throw new GuardConfigException(type.getName() + ": @JsonbCreator other than the canonical "
                        + "constructor is not supported");
            }
        }
        for (Method method : type.getDeclaredMethods()) {
            if (method.isAnnotationPresent(JsonbCreator.class)) {
                throw new GuardConfigException(type.getName() + ": @JsonbCreator factory methods are not supported");
            }
        }
    }

    /** Where an annotation on a record component can land: constructor parameter, field, accessor. */
    private static AnnotatedElement[] sites(Class<?> type, RecordComponent component, AnnotatedElement parameter) {
        try {
            return new AnnotatedElement[] {parameter, type.getDeclaredField(component.getName()),
                    component.getAccessor()};
        } catch (NoSuchFieldException impossible) {
            throw new GuardConfigException(type.getName() + " has no field " + component.getName(), impossible);
        }
    }

    private static String jsonName(RecordComponent component, AnnotatedElement[] sites, String where) {
        String name = null;
        for (AnnotatedElement site : sites) {
            JsonbProperty property = site.getAnnotation(JsonbProperty.class);
            String candidate = property == null || property.value().isEmpty() ? component.getName()
                    : property.value();
            if (name != null && !name.equals(candidate)) {
                // An explicit accessor can carry another @JsonbProperty than the component: which one wins is
                // provider detail, so refuse rather than guess.
                throw new GuardConfigException(where + ": conflicting @JsonbProperty names \"" + name + "\" and \""
                        + candidate + "\"");
            }
            name = candidate;
        }
        return name;
    }

    private static void refuse(AnnotatedElement element, Object where,
                               List<Class<? extends Annotation>> annotations) {
        if (element == null) {
            return;
        }
        for (Class<? extends Annotation> annotation : annotations) {
            if (element.isAnnotationPresent(annotation)) {
                String site = where instanceof Class<?> c ? c.getName() : String.valueOf(where);
                throw new GuardConfigException(site + ": @" + annotation.getSimpleName() + " is not supported by "
                        + "the strict reader (it changes the JSON shape it checks)");
            }
        }
    }
}

package org.rtcsound.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.json.JsonValue;

/**
 * One parsed od.config: the keys of each section with their values as JSON (Python's
 * dicts become objects, lists and tuples arrays, None null). Keys keep their case; keys
 * rtcsound does not use are kept too.
 */
public record OdConfig(Map<String, Map<String, JsonValue>> sections) {

    public static final String GLOBAL = "global";

    public OdConfig {
        Map<String, Map<String, JsonValue>> copy = new LinkedHashMap<>();
        sections.forEach((name, keys) -> copy.put(name, Collections.unmodifiableMap(new LinkedHashMap<>(keys))));
        sections = Collections.unmodifiableMap(copy);
    }

    /** The [global] section, where abcdesktop keeps its settings. */
    public Map<String, JsonValue> global() {
        return sections.getOrDefault(GLOBAL, Map.of());
    }
}

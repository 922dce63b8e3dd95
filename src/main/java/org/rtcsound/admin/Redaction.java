package org.rtcsound.admin;

import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/** Hides secrets in configuration shown by the admin API: any value under a key that names one. */
final class Redaction {

    static final String REDACTED = "*** redacted ***";

    private static final Pattern SECRET = Pattern.compile(
            "secret|password|passwd|token|cookie|credential|private|apikey|api_key");

    private Redaction() {
    }

    static JsonValue redact(String key, JsonValue value) {
        if (SECRET.matcher(key.toLowerCase(Locale.ROOT)).find()) {
            return Json.createValue(REDACTED);
        }
        switch (value.getValueType()) {
            case OBJECT: {
                JsonObjectBuilder object = Json.createObjectBuilder();
                value.asJsonObject().forEach((k, v) -> object.add(k, redact(k, v)));
                return object.build();
            }
            case ARRAY: {
                JsonArrayBuilder array = Json.createArrayBuilder();
                value.asJsonArray().forEach(v -> array.add(redact("", v)));
                return array.build();
            }
            default:
                return value;
        }
    }
}

package org.rtcsound.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * A value as CherryPy's reader builds it from od.config: the Python objects a literal can
 * make. Kept as Python has them (tuples apart from lists, bytes apart from str, dict keys
 * compared as Python compares them: {@code 1 == 1.0 == True}) so that rtcsound reads a
 * file to exactly what abcdesktop's pyos reads; {@link #toJson()} is the view the rest of
 * rtcsound uses.
 */
public sealed interface PyValue {

    /** Python's name of the type, for messages such as CherryPy's own TypeErrors. */
    String typeName();

    /**
     * A canonical text of the value, shared with the differential test's CherryPy side:
     * {@code N T F E}, {@code i<decimal>}, {@code f<IEEE bits in hex>}, {@code c<re>,<im>},
     * {@code s<UTF-16 units in hex>}, {@code b<bytes in hex>}, {@code [..] (..) {k:v,..}}.
     */
    String canonical();

    /** The JSON view: dicts become objects (keys as Python's str() of them), tuples arrays, None null. */
    JsonValue toJson();

    PyValue NONE = new Singleton("NoneType", "N", "None");
    PyValue ELLIPSIS = new Singleton("ellipsis", "E", "Ellipsis");
    Bool TRUE = new Bool(true);
    Bool FALSE = new Bool(false);

    /** None and Ellipsis: equal only to themselves. */
    record Singleton(String typeName, String canonical, String repr) implements PyValue {
        @Override
        public JsonValue toJson() {
            return this == NONE ? JsonValue.NULL : Json.createValue("...");
        }
    }

    record Bool(boolean value) implements PyValue {
        @Override
        public String typeName() {
            return "bool";
        }

        @Override
        public String canonical() {
            return value ? "T" : "F";
        }

        @Override
        public JsonValue toJson() {
            return value ? JsonValue.TRUE : JsonValue.FALSE;
        }
    }

    record Int(BigInteger value) implements PyValue {
        @Override
        public String typeName() {
            return "int";
        }

        @Override
        public String canonical() {
            return "i" + value;
        }

        @Override
        public JsonValue toJson() {
            return Json.createValue(value);
        }
    }

    record Float(double value) implements PyValue {
        @Override
        public String typeName() {
            return "float";
        }

        @Override
        public String canonical() {
            return "f" + bits(value);
        }

        @Override
        public JsonValue toJson() {
            // JSON has no infinity or NaN: those become the text Python prints for them.
            return Double.isFinite(value) ? Json.createValue(value) : Json.createValue(repr(value));
        }
    }

    record Complex(double real, double imag) implements PyValue {
        @Override
        public String typeName() {
            return "complex";
        }

        @Override
        public String canonical() {
            return "c" + bits(real) + "," + bits(imag);
        }

        @Override
        public JsonValue toJson() {
            return Json.createValue("(" + repr(real) + (imag < 0 || (imag == 0 && 1 / imag < 0) ? "" : "+")
                    + repr(imag) + "j)");
        }
    }

    record Str(String value) implements PyValue {
        @Override
        public String typeName() {
            return "str";
        }

        @Override
        public String canonical() {
            StringBuilder out = new StringBuilder(1 + 4 * value.length()).append('s');
            for (int i = 0; i < value.length(); i++) {
                out.append(String.format("%04x", (int) value.charAt(i)));
            }
            return out.toString();
        }

        @Override
        public JsonValue toJson() {
            return Json.createValue(value);
        }

        /** Python indexes a str by code point. */
        int length() {
            return value.codePointCount(0, value.length());
        }
    }

    record Bytes(byte[] value) implements PyValue {
        @Override
        public String typeName() {
            return "bytes";
        }

        @Override
        public String canonical() {
            StringBuilder out = new StringBuilder(1 + 2 * value.length).append('b');
            for (byte b : value) {
                out.append(String.format("%02x", b & 0xff));
            }
            return out.toString();
        }

        /** Bytes as text, one character per byte (Latin-1). */
        @Override
        public JsonValue toJson() {
            return Json.createValue(new String(value, StandardCharsets.ISO_8859_1));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Bytes b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return canonical();
        }
    }

    /** A list or a tuple. */
    record Sequence(boolean tuple, List<PyValue> items) implements PyValue {
        public Sequence {
            items = Collections.unmodifiableList(items);
        }

        @Override
        public String typeName() {
            return tuple ? "tuple" : "list";
        }

        @Override
        public String canonical() {
            StringBuilder out = new StringBuilder().append(tuple ? '(' : '[');
            for (int i = 0; i < items.size(); i++) {
                out.append(i == 0 ? "" : ",").append(items.get(i).canonical());
            }
            return out.append(tuple ? ')' : ']').toString();
        }

        @Override
        public JsonValue toJson() {
            JsonArrayBuilder array = Json.createArrayBuilder();
            items.forEach(item -> array.add(item.toJson()));
            return array.build();
        }
    }

    /** A dict, in insertion order; a key equal to an earlier one keeps the earlier key and takes the new value. */
    record Dict(Map<Key, PyValue> entries) implements PyValue {
        public Dict {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        @Override
        public String typeName() {
            return "dict";
        }

        @Override
        public String canonical() {
            StringBuilder out = new StringBuilder().append('{');
            boolean first = true;
            for (Map.Entry<Key, PyValue> entry : entries.entrySet()) {
                out.append(first ? "" : ",").append(entry.getKey().value().canonical()).append(':')
                        .append(entry.getValue().canonical());
                first = false;
            }
            return out.append('}').toString();
        }

        @Override
        public JsonValue toJson() {
            JsonObjectBuilder object = Json.createObjectBuilder();
            entries.forEach((key, value) -> object.add(str(key.value()), value.toJson()));
            return object.build();
        }
    }

    /**
     * A dict key with Python's equality: numbers equal by value across bool, int, float and
     * complex; str, bytes and tuples by content; NaN equal to nothing. Lists and dicts
     * cannot be keys ({@link #of} says so).
     */
    record Key(PyValue value) {

        /** @return the key, or null when the value is unhashable (a list, a dict, or a tuple holding one) */
        static Key of(PyValue value) {
            return hashable(value) ? new Key(value) : null;
        }

        private static boolean hashable(PyValue value) {
            if (value instanceof Sequence s) {
                return s.tuple() && s.items().stream().allMatch(Key::hashable);
            }
            return !(value instanceof Dict);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && pyEquals(value, k.value);
        }

        @Override
        public int hashCode() {
            return pyHash(value);
        }

        private static int pyHash(PyValue v) {
            BigDecimal number = realNumber(v);
            if (number != null) {
                return number.stripTrailingZeros().hashCode();
            }
            if (v instanceof Float f) {
                return 0x7ff; // NaN: equal to nothing, so any hash will do
            }
            if (v instanceof Complex c) {
                return Double.hashCode(c.real()) * 31 + Double.hashCode(c.imag());
            }
            if (v instanceof Sequence s) {
                int h = 1;
                for (PyValue item : s.items()) {
                    h = h * 31 + pyHash(item);
                }
                return h;
            }
            return v.hashCode();
        }

        private static boolean pyEquals(PyValue a, PyValue b) {
            BigDecimal x = realNumber(a);
            BigDecimal y = realNumber(b);
            if (x != null || y != null) {
                return x != null && y != null && x.compareTo(y) == 0;
            }
            if (a instanceof Sequence s && b instanceof Sequence t) {
                if (s.tuple() != t.tuple() || s.items().size() != t.items().size()) {
                    return false;
                }
                for (int i = 0; i < s.items().size(); i++) {
                    if (!pyEquals(s.items().get(i), t.items().get(i))) {
                        return false;
                    }
                }
                return true;
            }
            if (a instanceof Complex c && b instanceof Complex d) {
                return c.real() == d.real() && c.imag() == d.imag();
            }
            if (a instanceof Float || b instanceof Float) {
                return false; // NaN
            }
            return a.equals(b);
        }

        /** A number with no imaginary part, exactly; null for anything else (and NaN, infinities). */
        private static BigDecimal realNumber(PyValue v) {
            if (v instanceof Bool b) {
                return b.value() ? BigDecimal.ONE : BigDecimal.ZERO;
            }
            if (v instanceof Int i) {
                return new BigDecimal(i.value());
            }
            if (v instanceof Float f && Double.isFinite(f.value())) {
                return new BigDecimal(f.value());
            }
            if (v instanceof Complex c && c.imag() == 0 && Double.isFinite(c.real())) {
                return new BigDecimal(c.real());
            }
            return null;
        }
    }

    private static String bits(double value) {
        return Double.isNaN(value) ? "nan" : String.format("%016x", Double.doubleToRawLongBits(value));
    }

    /** Python's repr of a float, near enough for messages and JSON keys. */
    static String repr(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e16) {
            return (value == 0 && 1 / value < 0 ? "-" : "") + new BigDecimal(value).toBigInteger() + ".0";
        }
        return Double.toString(value).replace("E", "e");
    }

    /** Python's str() of a value, for dict keys in the JSON view. */
    static String str(PyValue value) {
        if (value instanceof Str s) {
            return s.value();
        }
        if (value instanceof Singleton s) {
            return s.repr();
        }
        if (value instanceof Bool b) {
            return b.value() ? "True" : "False";
        }
        if (value instanceof Int i) {
            return i.value().toString();
        }
        if (value instanceof Float f) {
            return repr(f.value());
        }
        if (value instanceof Complex) {
            return ((jakarta.json.JsonString) value.toJson()).getString();
        }
        if (value instanceof Bytes b) {
            return "b'" + new String(b.value(), StandardCharsets.ISO_8859_1) + "'";
        }
        if (value instanceof Sequence s) {
            StringBuilder out = new StringBuilder(s.tuple() ? "(" : "[");
            for (int i = 0; i < s.items().size(); i++) {
                PyValue item = s.items().get(i);
                out.append(i == 0 ? "" : ", ").append(item instanceof Str t ? "'" + t.value() + "'" : str(item));
            }
            if (s.tuple() && s.items().size() == 1) {
                out.append(',');
            }
            return out.append(s.tuple() ? ")" : "]").toString();
        }
        return value.canonical();
    }
}

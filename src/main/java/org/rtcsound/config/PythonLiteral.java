package org.rtcsound.config;

import java.math.BigInteger;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * The Python literals od.config's values are written in, read as JSON: True, False,
 * None, numbers, strings (single, double or triple quoted, with escapes; adjacent ones
 * join), dicts, lists and tuples, nested. Nothing else: a name or a call is refused,
 * never evaluated. Comments start with {@code #}.
 */
final class PythonLiteral {

    /** Deeper nesting than any configuration needs; guards the parser's stack. */
    private static final int MAX_DEPTH = 64;

    /** A refusal at a character offset of the value. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;
        private final int offset;

        SyntaxError(int offset, String message) {
            super(message);
            this.offset = offset;
        }

        int offset() {
            return offset;
        }
    }

    private final String text;
    private int pos;

    private PythonLiteral(String text) {
        this.text = text;
    }

    static JsonValue parse(String text) throws SyntaxError {
        PythonLiteral parser = new PythonLiteral(text);
        parser.skipSpace();
        if (parser.pos >= text.length()) {
            throw new SyntaxError(0, "expected a value, found nothing");
        }
        JsonValue value = parser.value(0);
        parser.skipSpace();
        if (parser.pos < text.length()) {
            throw parser.error("expected the end of the value, found " + parser.found());
        }
        return value;
    }

    private JsonValue value(int depth) throws SyntaxError {
        if (depth > MAX_DEPTH) {
            throw error("values nested deeper than " + MAX_DEPTH + " levels");
        }
        skipSpace();
        if (pos >= text.length()) {
            throw error("expected a value, found the end of the value");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return dict(depth);
            case '[':
                return sequence(depth, '[', ']');
            case '(':
                return parenthesised(depth);
            case '\'':
            case '"':
                return strings();
            default:
                break;
        }
        if (c == '-' || c == '+' || c == '.' || Character.isDigit(c)) {
            return number();
        }
        if (Character.isLetter(c) || c == '_') {
            return name();
        }
        throw error("expected a literal (True, False, None, a number, a string, a dict, a list or a tuple), found "
                + found());
    }

    private JsonValue dict(int depth) throws SyntaxError {
        int start = pos;
        pos++; // {
        JsonObjectBuilder object = Json.createObjectBuilder();
        boolean first = true;
        while (true) {
            skipSpace();
            if (pos >= text.length()) {
                throw new SyntaxError(start, "this dict is never closed: expected '}'");
            }
            if (text.charAt(pos) == '}') {
                pos++;
                return object.build();
            }
            if (!first) {
                expect(',', "expected ',' or '}' in a dict");
                skipSpace();
                if (pos < text.length() && text.charAt(pos) == '}') {
                    pos++;
                    return object.build();
                }
            }
            int keyStart = pos;
            JsonValue key = value(depth + 1);
            skipSpace();
            if (pos < text.length() && (text.charAt(pos) == ',' || text.charAt(pos) == '}') && first) {
                throw new SyntaxError(keyStart, "sets are not supported, only dicts (key: value)");
            }
            expect(':', "expected ':' after a dict key");
            JsonValue item = value(depth + 1);
            object.add(keyText(key, keyStart), item);
            first = false;
        }
    }

    private String keyText(JsonValue key, int at) throws SyntaxError {
        switch (key.getValueType()) {
            case STRING:
                return ((JsonString) key).getString();
            case NUMBER:
                return key.toString();
            case TRUE:
                return "True";
            case FALSE:
                return "False";
            case NULL:
                return "None";
            default:
                throw new SyntaxError(at, "a dict key must be a string, a number, True, False or None");
        }
    }

    private JsonValue parenthesised(int depth) throws SyntaxError {
        int start = pos;
        pos++; // (
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == ')') {
            pos++;
            return JsonValue.EMPTY_JSON_ARRAY;
        }
        JsonValue first = value(depth + 1);
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == ')') {
            pos++;
            return first; // (x) is just x; a tuple needs a comma
        }
        pos = start;
        return sequence(depth, '(', ')');
    }

    private JsonValue sequence(int depth, char open, char close) throws SyntaxError {
        int start = pos;
        pos++; // open
        JsonArrayBuilder array = Json.createArrayBuilder();
        boolean first = true;
        while (true) {
            skipSpace();
            if (pos >= text.length()) {
                throw new SyntaxError(start, "this " + (open == '[' ? "list" : "tuple") + " is never closed: expected '"
                        + close + "'");
            }
            if (text.charAt(pos) == close) {
                pos++;
                return array.build();
            }
            if (!first) {
                expect(',', "expected ',' or '" + close + "'");
                skipSpace();
                if (pos < text.length() && text.charAt(pos) == close) {
                    pos++;
                    return array.build();
                }
            }
            array.add(value(depth + 1));
            first = false;
        }
    }

    private JsonValue strings() throws SyntaxError {
        StringBuilder joined = new StringBuilder();
        do {
            joined.append(string());
            skipSpace();
        } while (pos < text.length() && (text.charAt(pos) == '\'' || text.charAt(pos) == '"'));
        return Json.createValue(joined.toString());
    }

    private String string() throws SyntaxError {
        int start = pos;
        char quote = text.charAt(pos);
        boolean triple = text.startsWith(String.valueOf(quote).repeat(3), pos);
        pos += triple ? 3 : 1;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new SyntaxError(start, "this string is never closed: expected " + (triple ? "three " : "") + quote);
            }
            char c = text.charAt(pos);
            if (c == quote && (!triple || text.startsWith(String.valueOf(quote).repeat(3), pos))) {
                pos += triple ? 3 : 1;
                return out.toString();
            }
            if (c == '\n' && !triple) {
                throw new SyntaxError(start, "this string is never closed on its line: expected " + quote);
            }
            if (c == '\\') {
                escape(out);
            } else {
                out.append(c);
                pos++;
            }
        }
    }

    private void escape(StringBuilder out) throws SyntaxError {
        int start = pos;
        pos++; // backslash
        if (pos >= text.length()) {
            throw new SyntaxError(start, "a backslash at the end of the value");
        }
        char c = text.charAt(pos++);
        switch (c) {
            case '\n' -> { } // line continuation inside a string
            case '\\' -> out.append('\\');
            case '\'' -> out.append('\'');
            case '"' -> out.append('"');
            case 'n' -> out.append('\n');
            case 't' -> out.append('\t');
            case 'r' -> out.append('\r');
            case 'a' -> out.append('\u0007');
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'v' -> out.append('\u000B');
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                int end = pos - 1;
                while (end < text.length() && end < pos + 2 && text.charAt(end) >= '0' && text.charAt(end) <= '7') {
                    end++;
                }
                out.append((char) Integer.parseInt(text.substring(pos - 1, end), 8));
                pos = end;
            }
            case 'x' -> out.append(hex(start, 2));
            case 'u' -> out.append(hex(start, 4));
            case 'U' -> out.appendCodePoint(codePoint(start));
            default -> out.append('\\').append(c); // Python keeps unknown escapes as written
        }
    }

    private char hex(int start, int digits) throws SyntaxError {
        if (pos + digits > text.length()) {
            throw new SyntaxError(start, "an escape needs " + digits + " hex digits");
        }
        try {
            char c = (char) Integer.parseInt(text.substring(pos, pos + digits), 16);
            pos += digits;
            return c;
        } catch (NumberFormatException e) {
            throw new SyntaxError(start, "an escape needs " + digits + " hex digits");
        }
    }

    private int codePoint(int start) throws SyntaxError {
        if (pos + 8 > text.length()) {
            throw new SyntaxError(start, "\\U needs 8 hex digits");
        }
        try {
            int cp = Integer.parseInt(text.substring(pos, pos + 8), 16);
            if (!Character.isValidCodePoint(cp)) {
                throw new SyntaxError(start, "\\U names no Unicode character");
            }
            pos += 8;
            return cp;
        } catch (NumberFormatException e) {
            throw new SyntaxError(start, "\\U needs 8 hex digits");
        }
    }

    private JsonValue number() throws SyntaxError {
        int start = pos;
        boolean negative = false;
        while (pos < text.length() && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
            negative ^= text.charAt(pos) == '-';
            pos++;
            skipSpace();
        }
        int digitsStart = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_'
                || text.charAt(pos) == '.' || ((text.charAt(pos) == '-' || text.charAt(pos) == '+')
                        && (text.charAt(pos - 1) == 'e' || text.charAt(pos - 1) == 'E')))) {
            pos++;
        }
        String literal = text.substring(digitsStart, pos).replace("_", "");
        if (literal.isEmpty() || text.substring(digitsStart, pos).contains("__")
                || text.substring(digitsStart, pos).endsWith("_")) {
            throw new SyntaxError(start, "expected a number, found " + (literal.isEmpty() ? found() : "'"
                    + text.substring(digitsStart, pos) + "'"));
        }
        try {
            String lower = literal.toLowerCase(java.util.Locale.ROOT);
            BigInteger integer = null;
            if (lower.startsWith("0x")) {
                integer = new BigInteger(literal.substring(2), 16);
            } else if (lower.startsWith("0o")) {
                integer = new BigInteger(literal.substring(2), 8);
            } else if (lower.startsWith("0b")) {
                integer = new BigInteger(literal.substring(2), 2);
            } else if (literal.matches("[0-9]+")) {
                if (literal.length() > 1 && literal.startsWith("0") && !literal.matches("0+")) {
                    throw new SyntaxError(start, "a number with a leading zero: write 0o17 for octal");
                }
                integer = new BigInteger(literal);
            }
            if (integer != null) {
                return Json.createValue(negative ? integer.negate() : integer);
            }
            if (!literal.matches("([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
                throw new SyntaxError(start, "expected a number, found '" + text.substring(digitsStart, pos) + "'");
            }
            double d = Double.parseDouble(literal);
            if (Double.isInfinite(d)) {
                throw new SyntaxError(start, "a number too large for a float");
            }
            return Json.createValue(negative ? -d : d);
        } catch (NumberFormatException e) {
            throw new SyntaxError(start, "expected a number, found '" + text.substring(digitsStart, pos) + "'");
        }
    }

    private JsonValue name() throws SyntaxError {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_'
                || text.charAt(pos) == '.')) {
            pos++;
        }
        String name = text.substring(start, pos);
        switch (name) {
            case "True":
                return JsonValue.TRUE;
            case "False":
                return JsonValue.FALSE;
            case "None":
                return JsonValue.NULL;
            default:
                break;
        }
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == '(') {
            throw new SyntaxError(start, "'" + name + "(...)' is a call: od.config values must be literals");
        }
        if (name.equalsIgnoreCase("true") || name.equalsIgnoreCase("false") || name.equalsIgnoreCase("none")
                || name.equals("null")) {
            throw new SyntaxError(start, "'" + name + "' is not a Python literal: write True, False or None");
        }
        throw new SyntaxError(start, "'" + name + "' is a name: od.config values must be literals (True, False, None, "
                + "numbers, strings, dicts, lists, tuples)");
    }

    private void expect(char c, String message) throws SyntaxError {
        skipSpace();
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw error(message + ", found " + found());
        }
        pos++;
    }

    /** Spaces, newlines and # comments. */
    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (Character.isWhitespace(c) || (c == '\\' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n')) {
                pos++;
            } else {
                return;
            }
        }
    }

    private String found() {
        if (pos >= text.length()) {
            return "the end of the value";
        }
        int end = Math.min(text.length(), pos + 20);
        String snippet = text.substring(pos, end).split("\n", 2)[0];
        return "'" + snippet + "'";
    }

    private SyntaxError error(String message) {
        return new SyntaxError(pos, message);
    }
}

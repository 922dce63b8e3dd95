package org.rtcsound.config;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One od.config value, read as CherryPy's {@code unrepr} reads it: the text is Python source
 * after {@code __tempvalue__ = }, tokenized and parsed by Python 3.11's rules, and the first
 * statement's value is built the way CherryPy's builder builds it.
 *
 * <p>What rtcsound reads: literals of every form Python has (strings with any prefix,
 * escape, implicit concatenation and triple quotes; integers, floats and imaginary numbers
 * in every notation), {@code True False None ...}, lists, tuples, dicts (with
 * {@code **} entries, which CherryPy files under the key None), and the only operations
 * CherryPy's builder performs on them: unary {@code -}, {@code +}, {@code *} and
 * subscripts ({@code x[i]}). Further statements ({@code 1; 2}, or a value that goes on
 * over a continuation line) are checked and ignored, as CherryPy ignores them.
 *
 * <p>The one deliberate difference: CherryPy evaluates names, attributes and calls
 * ({@code os.getenv('X')}), so a file could run code; rtcsound refuses every name other
 * than True, False and None, and every other construct (sets, slices, f-strings,
 * comparisons, other operators), with the place where it stands.
 */
final class PythonExpression {

    /** Python's tokenizer allows 200 brackets open at once. */
    private static final int MAX_BRACKETS = 200;
    /** Guards this parser's own stack (unary minus chains); CherryPy fails near here too. */
    private static final int MAX_DEPTH = 400;
    /** Python 3.11 refuses decimal integer literals longer than this (int_max_str_digits). */
    private static final int MAX_DECIMAL_DIGITS = 4300;
    /** A value built by * may not outgrow the file it came from (CherryPy would allocate it). */
    private static final long MAX_REPEAT = 2L * 1024 * 1024;

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

    private enum Kind { NUMBER, STRING, NAME, OP, NEWLINE, END }

    private record Token(Kind kind, String text, PyValue value, boolean bytes, int offset) {
    }

    // The parsed form of a value: only the nodes CherryPy's builder can build.
    private sealed interface Node permits Constant, SequenceNode, DictNode, Negate, Binary, Subscript {
        int offset();
    }

    private record Constant(PyValue value, int offset) implements Node {
    }

    private record SequenceNode(boolean tuple, List<Node> items, int offset) implements Node {
    }

    /** A null key stands for a {@code **value} entry. */
    private record DictNode(List<Node> keys, List<Node> values, int offset) implements Node {
    }

    private record Negate(Node operand, int offset) implements Node {
    }

    private record Binary(char operator, Node left, Node right, int offset) implements Node {
    }

    private record Subscript(Node value, Node index, int offset) implements Node {
    }

    private final String text;
    private final List<Token> tokens = new ArrayList<>();
    private int next;
    private int depth;

    private PythonExpression(String text) {
        this.text = text;
    }

    /** The value CherryPy's {@code unrepr} makes of {@code text}; an empty value is the empty string. */
    static PyValue parse(String text) throws SyntaxError {
        if (text.isEmpty()) {
            return new PyValue.Str("");
        }
        if (text.indexOf('\0') >= 0) {
            throw new SyntaxError(text.indexOf('\0'), "a NUL character: Python source cannot hold one");
        }
        PythonExpression parser = new PythonExpression(text);
        parser.tokenize();
        Node value = parser.module();
        return parser.build(value);
    }

    // ---------------------------------------------------------------- tokens

    private void tokenize() throws SyntaxError {
        Deque<int[]> open = new ArrayDeque<>(); // {bracket char, offset}
        int pos = 0;
        int length = text.length();
        while (pos < length) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\f') {
                pos++;
            } else if (c == '#') {
                while (pos < length && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == '\\') {
                if (pos + 1 >= length) {
                    throw new SyntaxError(pos, "a backslash at the end of the value continues nothing");
                }
                if (text.charAt(pos + 1) != '\n') {
                    throw new SyntaxError(pos, "unexpected character after line continuation character '\\'");
                }
                pos += 2;
            } else if (c == '\n') {
                if (open.isEmpty() && !tokens.isEmpty() && last().kind() != Kind.NEWLINE) {
                    tokens.add(new Token(Kind.NEWLINE, "\n", null, false, pos));
                } else if (tokens.isEmpty()) {
                    throw new SyntaxError(pos, "nothing follows the key on its own line (CherryPy refuses that too)");
                }
                pos++;
            } else if (isDigit(c) || (c == '.' && pos + 1 < length && isDigit(text.charAt(pos + 1)))) {
                pos = number(pos);
            } else if (c == '\'' || c == '"') {
                pos = string(pos, pos, "");
            } else if (isNameStart(c)) {
                int start = pos;
                while (pos < length && isNamePart(text.charAt(pos))) {
                    pos++;
                }
                String name = text.substring(start, pos);
                if (pos < length && (text.charAt(pos) == '\'' || text.charAt(pos) == '"') && isPrefix(name)) {
                    pos = string(start, pos, name.toLowerCase(Locale.ROOT));
                } else {
                    tokens.add(new Token(Kind.NAME, name, null, false, start));
                }
            } else if ("([{".indexOf(c) >= 0) {
                if (open.size() >= MAX_BRACKETS) {
                    throw new SyntaxError(pos, "more than " + MAX_BRACKETS + " brackets open at once");
                }
                open.push(new int[] {c, pos});
                tokens.add(new Token(Kind.OP, String.valueOf(c), null, false, pos++));
            } else if (")]}".indexOf(c) >= 0) {
                if (open.isEmpty()) {
                    throw new SyntaxError(pos, "'" + c + "' closes nothing");
                }
                char opener = (char) open.pop()[0];
                if ("([{".indexOf(opener) != ")]}".indexOf(c)) {
                    throw new SyntaxError(pos, "'" + c + "' does not close '" + opener + "'");
                }
                tokens.add(new Token(Kind.OP, String.valueOf(c), null, false, pos++));
            } else if (text.startsWith("...", pos)) {
                tokens.add(new Token(Kind.OP, "...", null, false, pos));
                pos += 3;
            } else if (c < 0x80 && "+-*/%@&|^~<>=!.,:;".indexOf(c) >= 0) {
                int end = pos + 1;
                if (end < length && "*/<>=".indexOf(text.charAt(end)) >= 0 && "*/<>=!:-+%&|^@".indexOf(c) >= 0) {
                    end++; // two-character operators (**, //, <=, ==, :=, +=, ...): never split
                }
                tokens.add(new Token(Kind.OP, text.substring(pos, end), null, false, pos));
                pos = end;
            } else {
                throw new SyntaxError(pos, "the character " + describe(c) + " has no place in a Python value");
            }
        }
        if (!open.isEmpty()) {
            int[] bracket = open.peek();
            throw new SyntaxError(bracket[1], "'" + (char) bracket[0] + "' is never closed");
        }
        if (tokens.isEmpty()) {
            throw new SyntaxError(0, "expected a value, found nothing");
        }
        if (last().kind() != Kind.NEWLINE) {
            tokens.add(new Token(Kind.NEWLINE, "", null, false, length));
        }
        tokens.add(new Token(Kind.END, "", null, false, length));
    }

    private Token last() {
        return tokens.get(tokens.size() - 1);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
                || (c >= 0x80 && (Character.isUnicodeIdentifierStart(c) || Character.isSurrogate(c)));
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || isDigit(c) || (c >= 0x80 && Character.isUnicodeIdentifierPart(c));
    }

    private static boolean isPrefix(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "r", "u", "b", "br", "rb", "f", "fr", "rf" -> true;
            default -> false;
        };
    }

    private static String describe(char c) {
        return c < 0x20 || c >= 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    /** A number as Python's tokenizer reads one; returns the offset after it. */
    private int number(int start) throws SyntaxError {
        int pos = start;
        int length = text.length();
        if (text.charAt(pos) == '0' && pos + 1 < length && "xXoObB".indexOf(text.charAt(pos + 1)) >= 0) {
            char base = Character.toLowerCase(text.charAt(pos + 1));
            int radix = base == 'x' ? 16 : base == 'o' ? 8 : 2;
            pos += 2;
            StringBuilder digits = new StringBuilder();
            while (pos < length) {
                char c = text.charAt(pos);
                if (c == '_' && pos + 1 < length && Character.digit(text.charAt(pos + 1), radix) >= 0) {
                    pos++;
                } else if (Character.digit(c, radix) >= 0 && c < 0x80) {
                    digits.append(c);
                    pos++;
                } else {
                    break;
                }
            }
            if (digits.isEmpty() || (pos < length && isNamePart(text.charAt(pos)))) {
                throw new SyntaxError(start, "an invalid " + (radix == 16 ? "hexadecimal" : radix == 8 ? "octal"
                        : "binary") + " number");
            }
            tokens.add(new Token(Kind.NUMBER, null, new PyValue.Int(new BigInteger(digits.toString(), radix)),
                    false, start));
            return pos;
        }
        StringBuilder literal = new StringBuilder();
        pos = digitPart(pos, literal);
        boolean integer = true;
        if (pos < length && text.charAt(pos) == '.') {
            integer = false;
            literal.append('.');
            pos++;
            if (pos < length && isDigit(text.charAt(pos))) {
                pos = digitPart(pos, literal);
            }
        }
        if (pos < length && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            int exponent = pos + 1;
            if (exponent < length && (text.charAt(exponent) == '+' || text.charAt(exponent) == '-')) {
                exponent++;
            }
            if (exponent < length && isDigit(text.charAt(exponent))) {
                integer = false;
                literal.append('e').append(text, pos + 1, exponent);
                pos = digitPart(exponent, literal);
            }
        }
        boolean imaginary = pos < length && (text.charAt(pos) == 'j' || text.charAt(pos) == 'J');
        if (imaginary) {
            pos++;
        }
        if (pos < length && isNamePart(text.charAt(pos))) {
            throw new SyntaxError(start, "an invalid number: '" + text.substring(start, pos + 1) + "'");
        }
        String digits = literal.toString();
        PyValue value;
        if (imaginary) {
            value = new PyValue.Complex(0.0, Double.parseDouble(digits));
        } else if (!integer) {
            value = new PyValue.Float(Double.parseDouble(digits));
        } else {
            if (digits.length() > 1 && digits.charAt(0) == '0' && !digits.chars().allMatch(ch -> ch == '0')) {
                throw new SyntaxError(start, "a decimal number with a leading zero: write octal as 0o17");
            }
            if (digits.length() > MAX_DECIMAL_DIGITS) {
                throw new SyntaxError(start, "a decimal number longer than " + MAX_DECIMAL_DIGITS
                        + " digits (Python 3.11 refuses it too)");
            }
            value = new PyValue.Int(new BigInteger(digits));
        }
        tokens.add(new Token(Kind.NUMBER, null, value, false, start));
        return pos;
    }

    /** Digits with single underscores between them; returns the offset after them. */
    private int digitPart(int pos, StringBuilder out) throws SyntaxError {
        int length = text.length();
        while (pos < length) {
            char c = text.charAt(pos);
            if (isDigit(c)) {
                out.append(c);
                pos++;
            } else if (c == '_' && !out.isEmpty() && isDigit(out.charAt(out.length() - 1)) && pos + 1 < length
                    && isDigit(text.charAt(pos + 1))) {
                pos++;
            } else {
                break;
            }
        }
        return pos;
    }

    /** A string literal from its prefix at {@code start}; its quote is at {@code quoteAt}. */
    private int string(int start, int quoteAt, String prefix) throws SyntaxError {
        boolean raw = prefix.contains("r");
        boolean bytes = prefix.contains("b");
        char quote = text.charAt(quoteAt);
        String closing = String.valueOf(quote);
        boolean triple = text.startsWith(closing.repeat(3), quoteAt);
        if (triple) {
            closing = closing.repeat(3);
        }
        int bodyStart = quoteAt + closing.length();
        int pos = bodyStart;
        while (true) {
            if (pos >= text.length()) {
                throw new SyntaxError(start, "this string is never closed: expected " + closing);
            }
            char c = text.charAt(pos);
            if (c == '\\') {
                pos += 2; // whatever follows a backslash does not end the string
                continue;
            }
            if (c == '\n' && !triple) {
                throw new SyntaxError(start, "this string is never closed on its line: expected " + quote);
            }
            if (text.startsWith(closing, pos)) {
                break;
            }
            pos++;
        }
        if (prefix.contains("f")) {
            throw new SyntaxError(start, "an f-string is not a literal: od.config values are never evaluated");
        }
        String body = text.substring(bodyStart, pos);
        PyValue value;
        if (bytes) {
            for (int i = 0; i < body.length(); i++) {
                if (body.charAt(i) >= 0x80) {
                    throw new SyntaxError(bodyStart + i, "a bytes literal holds ASCII characters only");
                }
            }
            value = new PyValue.Bytes(raw ? body.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)
                    : unescapeBytes(body, bodyStart));
        } else {
            value = new PyValue.Str(raw ? body : unescape(body, bodyStart));
        }
        tokens.add(new Token(Kind.STRING, null, value, bytes, start));
        return pos + closing.length();
    }

    /** Python's escapes in a str literal (unknown ones stay as written, as Python keeps them). */
    private String unescape(String body, int at) throws SyntaxError {
        StringBuilder out = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c != '\\') {
                out.append(c);
                i++;
                continue;
            }
            int escape = at + i;
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case '\n' -> { }
                case '\\', '\'', '"' -> out.append(e);
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int end = octalEnd(body, i - 1);
                    out.append((char) Integer.parseInt(body.substring(i - 1, end), 8));
                    i = end;
                }
                case 'x', 'u', 'U' -> {
                    int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    int code = hex(body, i, digits, escape, "\\" + e);
                    if (!Character.isValidCodePoint(code)) {
                        throw new SyntaxError(escape, "\\U" + body.substring(i, i + digits) + " names no character");
                    }
                    out.appendCodePoint(code);
                    i += digits;
                }
                case 'N' -> {
                    int close = body.indexOf('}', i);
                    if (i >= body.length() || body.charAt(i) != '{' || close < 0 || close == i + 1) {
                        throw new SyntaxError(escape, "a \\N escape needs a character name in braces: \\N{...}");
                    }
                    out.appendCodePoint(characterNamed(body.substring(i + 1, close), escape));
                    i = close + 1;
                }
                default -> out.append('\\').append(e);
            }
        }
        return out.toString();
    }

    /** Python's escapes in a bytes literal: no named or Unicode escapes; octal values wrap at 256. */
    private byte[] unescapeBytes(String body, int at) throws SyntaxError {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c != '\\') {
                out.write(c);
                i++;
                continue;
            }
            char e = body.charAt(i + 1);
            int escape = at + i;
            i += 2;
            switch (e) {
                case '\n' -> { }
                case '\\', '\'', '"' -> out.write(e);
                case 'a' -> out.write(7);
                case 'b' -> out.write(8);
                case 'f' -> out.write(12);
                case 'n' -> out.write(10);
                case 'r' -> out.write(13);
                case 't' -> out.write(9);
                case 'v' -> out.write(11);
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int end = octalEnd(body, i - 1);
                    out.write(Integer.parseInt(body.substring(i - 1, end), 8) & 0xff);
                    i = end;
                }
                case 'x' -> {
                    out.write(hex(body, i, 2, escape, "\\x"));
                    i += 2;
                }
                default -> {
                    out.write('\\');
                    out.write(e);
                }
            }
        }
        return out.toByteArray();
    }

    private static int octalEnd(String body, int from) {
        int end = from;
        while (end < body.length() && end < from + 3 && body.charAt(end) >= '0' && body.charAt(end) <= '7') {
            end++;
        }
        return end;
    }

    private static int hex(String body, int from, int digits, int escape, String name) throws SyntaxError {
        if (from + digits > body.length()) {
            throw new SyntaxError(escape, "a truncated " + name + " escape: it takes " + digits + " hex digits");
        }
        int value = 0;
        for (int k = from; k < from + digits; k++) {
            int digit = Character.digit(body.charAt(k), 16);
            if (digit < 0 || body.charAt(k) >= 0x80) {
                throw new SyntaxError(escape, "a truncated " + name + " escape: it takes " + digits + " hex digits");
            }
            value = value * 16 + digit;
        }
        return value < 0 ? Integer.MAX_VALUE : value;
    }

    /** A Unicode character name, as Python's \N{...} takes it (case-insensitive; no aliases). */
    private static int characterNamed(String name, int escape) throws SyntaxError {
        String upper = name.toUpperCase(Locale.ROOT);
        try {
            if (!name.isEmpty() && !Character.isWhitespace(name.charAt(0))
                    && !Character.isWhitespace(name.charAt(name.length() - 1))) {
                int code = Character.codePointOf(name);
                // Java also answers to names it makes up for unnamed characters ("BASIC LATIN 41")
                // and to the old names of control characters, which Python does not know.
                boolean madeUp = upper.endsWith(" " + Integer.toHexString(code).toUpperCase(Locale.ROOT));
                if (!madeUp && Character.getType(code) != Character.CONTROL) {
                    return code;
                }
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw new SyntaxError(escape, "\\N{" + name + "}: no Unicode character has that name");
    }

    // ---------------------------------------------------------------- syntax

    private Token peek() {
        return tokens.get(next);
    }

    private boolean isOp(String op) {
        Token t = peek();
        return t.kind() == Kind.OP && t.text().equals(op);
    }

    private boolean accept(String op) {
        if (isOp(op)) {
            next++;
            return true;
        }
        return false;
    }

    private void expect(String op, String what) throws SyntaxError {
        if (!accept(op)) {
            throw unexpected(what);
        }
    }

    private SyntaxError unexpected(String expected) {
        Token t = peek();
        String found = switch (t.kind()) {
            case END, NEWLINE -> "the end of the value";
            case NAME -> "'" + t.text() + "'";
            case OP -> "'" + t.text() + "'";
            default -> "a " + (t.kind() == Kind.NUMBER ? "number" : "string");
        };
        if (t.kind() == Kind.NAME) {
            return nameRefused(t);
        }
        return new SyntaxError(t.offset(), "expected " + expected + ", found " + found);
    }

    private static SyntaxError nameRefused(Token t) {
        String name = t.text();
        if (name.equalsIgnoreCase("true") || name.equalsIgnoreCase("false") || name.equalsIgnoreCase("none")
                || name.equals("null")) {
            return new SyntaxError(t.offset(), "'" + name + "' is not a Python literal: write True, False or None");
        }
        return new SyntaxError(t.offset(), "'" + name + "' is a name: rtcsound reads literals only and never"
                + " evaluates names or calls (True, False, None, numbers, strings, lists, tuples, dicts)");
    }

    /** The statements of {@code __tempvalue__ = <text>}: the first one's value, the others checked. */
    private Node module() throws SyntaxError {
        Node value = starExpressions();
        if (isOp("=")) {
            throw new SyntaxError(peek().offset(), "a second '=': an od.config value is not an assignment");
        }
        endOfStatement();
        while (peek().kind() != Kind.END) {
            starExpressions();
            endOfStatement();
        }
        return value;
    }

    private void endOfStatement() throws SyntaxError {
        if (accept(";")) {
            if (peek().kind() == Kind.NEWLINE) {
                next++;
            }
            return;
        }
        if (peek().kind() == Kind.NEWLINE) {
            next++;
            return;
        }
        throw unexpected(describeOperator(peek()) + "the end of the value");
    }

    /** A hint when an operator CherryPy's builder cannot compute stands where the value should end. */
    private static String describeOperator(Token t) {
        if (t.kind() != Kind.OP || ",;)]}".contains(t.text())) {
            return "";
        }
        return "(only +, * and unary - are computed, as CherryPy computes them) ";
    }

    private boolean startsExpression() {
        Token t = peek();
        return switch (t.kind()) {
            case NUMBER, STRING, NAME -> true;
            case OP -> "([{-+~...*".contains(t.text()) && !t.text().equals("**");
            default -> false;
        };
    }

    /** expr, or a tuple of them without brackets ({@code 1, 2}). */
    private Node starExpressions() throws SyntaxError {
        int offset = peek().offset();
        Node first = expression();
        if (!isOp(",")) {
            return first;
        }
        List<Node> items = new ArrayList<>();
        items.add(first);
        while (accept(",") && startsExpression()) {
            items.add(expression());
        }
        return new SequenceNode(true, items, offset);
    }

    private Node expression() throws SyntaxError {
        if (++depth > MAX_DEPTH) {
            throw new SyntaxError(peek().offset(), "a value nested deeper than " + MAX_DEPTH + " levels");
        }
        try {
            return sum();
        } finally {
            depth--;
        }
    }

    private Node sum() throws SyntaxError {
        Node left = term();
        while (true) {
            Token operator = peek();
            if (accept("+")) {
                left = new Binary('+', left, term(), operator.offset());
            } else if (isOp("-")) {
                throw new SyntaxError(operator.offset(),
                        "'-' between two values: CherryPy's reader cannot subtract, so od.config never does");
            } else {
                return left;
            }
        }
    }

    private Node term() throws SyntaxError {
        Node left = factor();
        while (true) {
            Token operator = peek();
            if (accept("*")) {
                left = new Binary('*', left, factor(), operator.offset());
            } else {
                return left;
            }
        }
    }

    private Node factor() throws SyntaxError {
        Token t = peek();
        if (accept("-")) {
            if (++depth > MAX_DEPTH) {
                throw new SyntaxError(t.offset(), "a value nested deeper than " + MAX_DEPTH + " levels");
            }
            try {
                return new Negate(factor(), t.offset());
            } finally {
                depth--;
            }
        }
        if (isOp("+") || isOp("~")) {
            throw new SyntaxError(t.offset(), "a unary '" + t.text() + "': CherryPy's reader refuses it (write the"
                    + " number alone)");
        }
        Node value = primary();
        if (isOp("**")) {
            throw new SyntaxError(peek().offset(), "'**' (a power): CherryPy's reader computes only +, * and -");
        }
        return value;
    }

    private Node primary() throws SyntaxError {
        Node value = atom();
        while (true) {
            Token t = peek();
            if (accept("[")) {
                value = new Subscript(value, subscript(t.offset()), t.offset());
            } else if (isOp("(")) {
                throw new SyntaxError(t.offset(), "a call: rtcsound reads literals only and never evaluates calls");
            } else if (isOp(".")) {
                throw new SyntaxError(t.offset(), "an attribute ('.'): rtcsound reads literals only");
            } else {
                return value;
            }
        }
    }

    private Node subscript(int offset) throws SyntaxError {
        if (isOp("]")) {
            throw unexpected("an index");
        }
        List<Node> items = new ArrayList<>();
        boolean comma = false;
        while (true) {
            if (isOp(":")) {
                throw new SyntaxError(peek().offset(), "a slice ('[a:b]'): CherryPy's reader refuses it");
            }
            if (isOp("*")) {
                throw new SyntaxError(peek().offset(), "a starred index: CherryPy's reader refuses it");
            }
            items.add(expression());
            if (isOp(":")) {
                throw new SyntaxError(peek().offset(), "a slice ('[a:b]'): CherryPy's reader refuses it");
            }
            if (!accept(",")) {
                break;
            }
            comma = true;
            if (isOp("]")) {
                break;
            }
        }
        expect("]", "']' or ','");
        return comma ? new SequenceNode(true, items, offset) : items.get(0);
    }

    private Node atom() throws SyntaxError {
        Token t = peek();
        switch (t.kind()) {
            case NUMBER -> {
                next++;
                return new Constant(t.value(), t.offset());
            }
            case STRING -> {
                return strings();
            }
            case NAME -> {
                next++;
                switch (t.text()) {
                    case "True":
                        return new Constant(PyValue.TRUE, t.offset());
                    case "False":
                        return new Constant(PyValue.FALSE, t.offset());
                    case "None":
                        return new Constant(PyValue.NONE, t.offset());
                    default:
                        throw nameRefused(t);
                }
            }
            case OP -> {
                switch (t.text()) {
                    case "(":
                        next++;
                        return parenthesised(t.offset());
                    case "[":
                        next++;
                        return new SequenceNode(false, items("]"), t.offset());
                    case "{":
                        next++;
                        return dict(t.offset());
                    case "...":
                        next++;
                        return new Constant(PyValue.ELLIPSIS, t.offset());
                    case "*":
                        throw new SyntaxError(t.offset(), "a starred value ('*x'): CherryPy's reader refuses it");
                    default:
                        throw unexpected("a value");
                }
            }
            default -> throw unexpected("a value");
        }
    }

    /** Adjacent string literals join into one, as in Python. */
    private Node strings() throws SyntaxError {
        Token first = peek();
        StringBuilder text = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (peek().kind() == Kind.STRING) {
            Token t = tokens.get(next++);
            if (t.bytes() != first.bytes()) {
                throw new SyntaxError(t.offset(), "bytes and str literals cannot be joined");
            }
            if (t.value() instanceof PyValue.Str s) {
                text.append(s.value());
            } else {
                bytes.writeBytes(((PyValue.Bytes) t.value()).value());
            }
        }
        return new Constant(first.bytes() ? new PyValue.Bytes(bytes.toByteArray()) : new PyValue.Str(text.toString()),
                first.offset());
    }

    private Node parenthesised(int offset) throws SyntaxError {
        if (accept(")")) {
            return new SequenceNode(true, List.of(), offset);
        }
        if (isOp("*")) {
            throw new SyntaxError(peek().offset(), "a starred value ('*x'): CherryPy's reader refuses it");
        }
        Node first = expression();
        if (accept(")")) {
            return first; // (x) is x; a tuple needs a comma
        }
        if (!isOp(",")) {
            throw unexpected("')' or ','");
        }
        List<Node> items = new ArrayList<>();
        items.add(first);
        items.addAll(itemsAfterFirst(")"));
        return new SequenceNode(true, items, offset);
    }

    /** Items up to {@code close}, commas between, a trailing comma allowed; the opening bracket is read. */
    private List<Node> items(String close) throws SyntaxError {
        List<Node> items = new ArrayList<>();
        if (accept(close)) {
            return items;
        }
        if (isOp("*")) {
            throw new SyntaxError(peek().offset(), "a starred value ('*x'): CherryPy's reader refuses it");
        }
        items.add(expression());
        items.addAll(itemsAfterFirst(close));
        return items;
    }

    private List<Node> itemsAfterFirst(String close) throws SyntaxError {
        List<Node> items = new ArrayList<>();
        while (true) {
            if (accept(close)) {
                return items;
            }
            expect(",", "',' or '" + close + "'");
            if (accept(close)) {
                return items;
            }
            if (isOp("*")) {
                throw new SyntaxError(peek().offset(), "a starred value ('*x'): CherryPy's reader refuses it");
            }
            items.add(expression());
        }
    }

    private Node dict(int offset) throws SyntaxError {
        List<Node> keys = new ArrayList<>();
        List<Node> values = new ArrayList<>();
        boolean first = true;
        while (!accept("}")) {
            if (!first) {
                expect(",", "',' or '}' in a dict");
                if (accept("}")) {
                    break;
                }
            }
            if (accept("**")) {
                keys.add(null);
                values.add(expression());
            } else {
                Node key = expression();
                if (!isOp(":")) {
                    if (first && (isOp(",") || isOp("}"))) {
                        throw new SyntaxError(key.offset(), "a set ({a, b}): CherryPy's reader refuses sets;"
                                + " use a list or a dict");
                    }
                    throw unexpected("':' after a dict key");
                }
                next++;
                keys.add(key);
                values.add(expression());
            }
            first = false;
        }
        return new DictNode(keys, values, offset);
    }

    // ---------------------------------------------------------------- values, as CherryPy builds them

    private PyValue build(Node node) throws SyntaxError {
        if (node instanceof Constant c) {
            return c.value();
        }
        if (node instanceof SequenceNode s) {
            List<PyValue> items = new ArrayList<>(s.items().size());
            for (Node item : s.items()) {
                items.add(build(item));
            }
            return new PyValue.Sequence(s.tuple(), items);
        }
        if (node instanceof DictNode d) {
            List<PyValue> keys = new ArrayList<>();
            List<PyValue> values = new ArrayList<>();
            for (int i = 0; i < d.keys().size(); i++) {
                keys.add(d.keys().get(i) == null ? PyValue.NONE : build(d.keys().get(i)));
                values.add(build(d.values().get(i)));
            }
            Map<PyValue.Key, PyValue> entries = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                PyValue.Key key = PyValue.Key.of(keys.get(i));
                if (key == null) {
                    Node at = d.keys().get(i);
                    throw new SyntaxError(at == null ? d.offset() : at.offset(), "a " + keys.get(i).typeName()
                            + " cannot be a dict key (unhashable type)");
                }
                entries.put(key, values.get(i));
            }
            return new PyValue.Dict(entries);
        }
        if (node instanceof Negate n) {
            return PythonOperators.negate(build(n.operand()), n.offset());
        }
        if (node instanceof Binary b) {
            PyValue left = build(b.left());
            PyValue right = build(b.right());
            return b.operator() == '+' ? PythonOperators.add(left, right, b.offset())
                    : PythonOperators.multiply(left, right, b.offset(), MAX_REPEAT);
        }
        Subscript s = (Subscript) node;
        PyValue value = build(s.value());
        return PythonOperators.item(value, build(s.index()), s.offset());
    }
}

package org.rtcsound.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Random od.config-like files, going by the rules of Python 3.11's configparser (as CherryPy
 * configures it: {@code ConfigParser}, keys keep their case, {@code %} interpolation) and of
 * Python's tokenizer for the values, which CherryPy hands to {@code ast.parse}.
 *
 * <p>Most files are meant to be read (by CherryPy, the oracle): a third of them carry one or
 * two deliberate faults, some carry names and calls that CherryPy evaluates and rtcsound
 * refuses. Which is which is the oracle's business, not the generator's: the generator only
 * aims, so that the differential test sees many files that are read, with many kinds of
 * values, and many that are refused for many reasons.
 *
 * <p>configparser, as far as the generator relies on it: a line is split from the file by
 * universal newlines ({@code \r\n}, {@code \r}, {@code \n}); a line whose {@code strip()}
 * (Python's: it removes U+00A0, U+2003, U+3000, U+0085, U+001C..U+001F...) starts with
 * {@code #} or {@code ;} is a comment wherever it is, also inside a value; an empty line
 * inside a value is kept as an empty line; a line indented deeper than the option's line
 * continues the value and is stripped; the value is the lines joined with {@code \n}, then
 * right-stripped; a section header is {@code [}, anything, {@code ]} at the start of the
 * stripped line; {@code %%} is {@code %}, {@code %(key)s} the raw value of a key of the same
 * section or of {@code [DEFAULT]}; duplicate keys or sections are errors ({@code [DEFAULT]}
 * may come back); {@code [DEFAULT]}'s keys are in every section.
 */
final class OdConfigGenerator {

    private OdConfigGenerator() {
    }

    // Markers inside a value's text, resolved when the value is laid out on lines.
    /** Between tokens inside brackets: nothing, a space, or a line break (a comment may end the line). */
    private static final char BREAK = '\u0001';
    /** A line break inside a triple-quoted string: blank and comment lines may follow. */
    private static final char NEWLINE_IN_STRING = '\u0002';
    /** A % that interpolates ({@code %(key)s}); every other % is written {@code %%}. */
    private static final char PERCENT = '\u0003';
    /** A line break between two statements (a comment may end the line). */
    private static final char NEWLINE_STATEMENT = '\u0004';
    /** A line break right after a backslash: only comment lines may follow. */
    private static final char NEWLINE_AFTER_BACKSLASH = '\u0005';
    /** A lone % that does not interpolate: broken on purpose. */
    private static final char BAD_PERCENT = '\u0006';

    static byte[] generate(Random random) {
        return new Writer(random).file();
    }

    // ------------------------------------------------------------------ mutation

    private static final byte[][] INTERESTING = bytes(
            "'", "\"", "'''", "\"\"\"", "(", ")", "[", "]", "{", "}", "\\", "\\\n", "%", "%%", "%(", "#", ";", ":", "=",
            "\n", "\n", "\r", "\r\n", "\t", " ", "  ", "\u00a0", "\u3000", "\u2003", "a", "b", "r", "u", "f", "x", "N",
            "e", "E", "0", "1", "7", "9", "j", "_", ".", ",", "-", "+", "*", "0x", "\\x", "\\N{", "\\u", "...", "True",
            "None", "u'", "b'", "\\\\", "**", "#", "[global]", "é", "😀");

    private static final String[] INTERESTING_LINES = {
        "", "  ", "\t", "# a comment", "; a comment", "  # an indented comment", "[global]", "[DEFAULT]", "[other]",
        "x = 1", "key : 'value'", "  'k': 1,", "\t2", "  }", "  ]", "= 1", "novalue", "  \\", "desktop.pod : {",
        "\u00a0", "%(x)s", "y = %(x)s",
    };

    /** A few deletions, insertions, duplications and replacements of bytes or lines. */
    static byte[] mutate(Random random, byte[] file) {
        byte[] result = file;
        int count = 1 + random.nextInt(random.nextInt(4) + 1);
        for (int i = 0; i < count; i++) {
            result = mutateOnce(random, result);
        }
        return result;
    }

    private static byte[] mutateOnce(Random r, byte[] b) {
        int n = b.length;
        int at = n == 0 ? 0 : r.nextInt(n + 1);
        switch (r.nextInt(12)) {
            case 0, 1: { // delete a few bytes
                if (n == 0) {
                    return b;
                }
                int start = Math.min(at, n - 1);
                int length = Math.min(n - start, 1 + r.nextInt(3));
                return splice(b, start, length, new byte[0]);
            }
            case 2, 3, 4: // insert something interesting
                return splice(b, at, 0, interesting(r));
            case 5: { // replace a byte or a few
                if (n == 0) {
                    return interesting(r);
                }
                int start = Math.min(at, n - 1);
                return splice(b, start, Math.min(n - start, 1 + r.nextInt(2)), interesting(r));
            }
            case 6: { // duplicate a few bytes in place
                if (n == 0) {
                    return b;
                }
                int start = Math.min(at, n - 1);
                int length = Math.min(n - start, 1 + r.nextInt(8));
                return splice(b, start, 0, Arrays.copyOfRange(b, start, start + length));
            }
            default:
                return mutateLines(r, b);
        }
    }

    private static byte[] interesting(Random r) {
        int roll = r.nextInt(200);
        if (roll == 0) {
            return new byte[] {0};
        }
        if (roll < 4) {
            return new byte[] {(byte) 0xFF};
        }
        if (roll < 6) {
            return new byte[] {(byte) 0xC2}; // a lone UTF-8 lead byte
        }
        return INTERESTING[r.nextInt(INTERESTING.length)];
    }

    private static byte[] mutateLines(Random r, byte[] b) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                lines.add(Arrays.copyOfRange(b, start, i + 1));
                start = i + 1;
            }
        }
        if (start < b.length) {
            lines.add(Arrays.copyOfRange(b, start, b.length));
        }
        int i = lines.isEmpty() ? 0 : r.nextInt(lines.size());
        switch (r.nextInt(6)) {
            case 0:
                if (!lines.isEmpty()) {
                    lines.remove(i);
                }
                break;
            case 1:
                if (!lines.isEmpty()) {
                    lines.add(i, lines.get(i).clone());
                }
                break;
            case 2:
                if (lines.size() > 1) {
                    int j = i == lines.size() - 1 ? i - 1 : i + 1;
                    byte[] t = lines.get(i);
                    lines.set(i, lines.get(j));
                    lines.set(j, t);
                }
                break;
            case 3:
                lines.add(i, (INTERESTING_LINES[r.nextInt(INTERESTING_LINES.length)] + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                break;
            case 4: // indent
                if (!lines.isEmpty()) {
                    lines.set(i, splice(lines.get(i), 0, 0, (r.nextBoolean() ? "  " : "\t").getBytes(StandardCharsets.UTF_8)));
                }
                break;
            default: // dedent
                if (!lines.isEmpty()) {
                    byte[] line = lines.get(i);
                    int k = 0;
                    while (k < line.length && (line[k] == ' ' || line[k] == '\t')) {
                        k++;
                    }
                    lines.set(i, Arrays.copyOfRange(line, k, line.length));
                }
                break;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 32);
        for (byte[] line : lines) {
            out.writeBytes(line);
        }
        return out.toByteArray();
    }

    private static byte[] splice(byte[] b, int start, int length, byte[] insert) {
        byte[] out = new byte[b.length - length + insert.length];
        System.arraycopy(b, 0, out, 0, start);
        System.arraycopy(insert, 0, out, start, insert.length);
        System.arraycopy(b, start + length, out, start + insert.length, b.length - start - length);
        return out;
    }

    private static byte[][] bytes(String... strings) {
        byte[][] out = new byte[strings.length][];
        for (int i = 0; i < strings.length; i++) {
            out[i] = strings[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    // ------------------------------------------------------------------ generation

    /** One file. */
    private static final class Writer {
        private final Random r;
        /** Faults still to place in this file (a fault: something CherryPy should refuse). */
        private int faults;
        /** This file may hold names, calls and attributes. */
        private final boolean impure;
        private final StringBuilder out = new StringBuilder();
        /** Characters the values of this file may still take. */
        private int budget = 2600;
        /** How deep in brackets the expression being written is. */
        private int brackets;
        /** Keys of the current section, and of [DEFAULT]. */
        private Set<String> keys = new HashSet<>();
        private final Set<String> defaultKeys = new HashSet<>();
        private final List<String> sectionNames = new ArrayList<>();
        /** Keys whose raw value is a plain literal that %(key)s may put somewhere else. */
        private final List<Atom> atoms = new ArrayList<>();
        private final List<Atom> defaultAtoms = new ArrayList<>();
        private boolean inDefault;

        private record Atom(String key, boolean number) {
        }

        Writer(Random random) {
            this.r = random;
            this.faults = chance(0.26) ? 1 + r.nextInt(2) : 0;
            this.impure = chance(0.18);
        }

        // -------------------------------------------------------------- choices

        private boolean chance(double p) {
            return r.nextDouble() < p;
        }

        @SafeVarargs
        private <T> T pick(T... items) {
            return items[r.nextInt(items.length)];
        }

        /** A fault here, if this file still has one to place (and luck). */
        private boolean fault(double p) {
            if (faults > 0 && chance(p)) {
                faults--;
                return true;
            }
            return false;
        }

        private boolean impure(double p) {
            return impure && chance(p);
        }

        // -------------------------------------------------------------- the file

        byte[] file() {
            boolean bom = chance(0.02) || fault(0.02);
            if (chance(0.3)) {
                out.append(pick("# od.config", "; generated", "#", "# -*- coding: utf-8 -*-", "")).append('\n');
            }
            if (fault(0.05)) {
                out.append("orphan = 1\n"); // a key before any section
            }
            int sections = 1 + r.nextInt(r.nextInt(3) + 1);
            boolean firstIndented = chance(0.05);
            for (int s = 0; s < sections && out.length() < 3000 && budget > 0; s++) {
                if (s == 0 && chance(0.12)) {
                    section("DEFAULT", 0);
                }
                String name = s == 0 && chance(0.75) ? "global" : sectionName();
                if (sectionNames.contains(name) && !fault(0.3)) {
                    name = name + sectionNames.size();
                }
                section(name, s == 0 && firstIndented && out.length() == 0 ? 1 + r.nextInt(3) : 0);
                if (chance(0.04)) {
                    section("DEFAULT", 0); // [DEFAULT] may come back, and anywhere
                }
            }
            if (fault(0.08) && !sectionNames.isEmpty()) {
                header(pick(sectionNames.toArray(new String[0])), 0); // a duplicate section
                out.append("again = 1\n");
            }
            if (fault(0.05)) {
                out.append(pick("a line with no delimiter\n", "= 1\n", "[]\n", "  [global\n"));
            }
            String text = out.toString();
            if (chance(0.2) && text.endsWith("\n")) {
                text = text.substring(0, text.length() - 1);
            }
            text = lineEnds(text);
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            if (!bom) {
                return utf8;
            }
            byte[] withBom = new byte[utf8.length + 3];
            withBom[0] = (byte) 0xEF;
            withBom[1] = (byte) 0xBB;
            withBom[2] = (byte) 0xBF;
            System.arraycopy(utf8, 0, withBom, 3, utf8.length);
            return withBom;
        }

        private String lineEnds(String text) {
            int roll = r.nextInt(100);
            if (roll < 80) {
                return text;
            }
            if (roll < 90) {
                return text.replace("\n", "\r\n");
            }
            if (roll < 95) {
                return text.replace("\n", "\r");
            }
            StringBuilder mixed = new StringBuilder(text.length() + 16);
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                mixed.append(c == '\n' ? pick("\n", "\r\n", "\r") : String.valueOf(c));
            }
            return mixed.toString();
        }

        private String sectionName() {
            if (chance(0.06)) {
                return "environment";
            }
            return pick("language", "desktop", "Global", "my section", " spaced ", "a.b", "x]y", "[nested]", "ünï",
                    "sec:tion", "s=1", "webrtc", "GLOBAL", "global ", "d\u00a0e", "tab\there", "s" + r.nextInt(100));
        }

        private void header(String name, int indent) {
            out.append(" ".repeat(indent)).append('[').append(name).append(']');
            if (chance(0.08)) {
                out.append(pick(" ; a comment", " # comment", "  ", "\t", " junk", "\u00a0"));
            }
            out.append('\n');
        }

        private void section(String name, int indent) {
            header(name, indent);
            boolean isDefault = name.equals("DEFAULT");
            if (!isDefault) {
                sectionNames.add(name);
            }
            inDefault = isDefault;
            keys = isDefault ? defaultKeys : new HashSet<>();
            atoms.clear();
            if (!isDefault) {
                atoms.addAll(defaultAtoms);
            }
            int options;
            if (name.equals("environment")) {
                // Config looks up a non-empty [environment] in its dict of environments: an error.
                options = fault(0.9) ? 1 : 0;
            } else if (isDefault) {
                options = 1 + r.nextInt(2);
            } else {
                options = 1 + r.nextInt(7);
            }
            int optionIndent = indent == 0 && chance(0.05) ? 1 + r.nextInt(3) : 0;
            for (int i = 0; i < options && budget > 0 && out.length() < 3200; i++) {
                betweenOptions();
                option(optionIndent);
            }
            if (chance(0.3)) {
                out.append('\n');
            }
        }

        private void betweenOptions() {
            if (chance(0.15)) {
                out.append('\n');
            }
            if (chance(0.12)) {
                out.append(pick("", "  ", "\t")).append(pick("#", ";")).append(commentText()).append('\n');
            }
        }

        private String commentText() {
            return pick("", " a comment", " webrtc.enable : False", " [global]", " 100% of it", " 'quoted", " \\",
                    " é \u00a0 done", " {", " key = value");
        }

        private void option(int indent) {
            String key = key();
            if (keys.contains(key.strip()) && !fault(0.5)) {
                key = key.strip() + "_" + keys.size();
            }
            keys.add(key.strip());
            out.append(" ".repeat(indent)).append(key);
            out.append(pick("", " ", " ", "  ", "\t", "\u00a0", " \t"));
            out.append(chance(0.5) ? ':' : '=');
            out.append(pick("", " ", " ", " ", "  ", "\t", "\u00a0", "   "));
            String value = value(key);
            out.append(layout(value, indent));
            remember(key.strip(), value);
            out.append('\n');
        }

        private String key() {
            if (chance(0.55)) {
                return pick("webrtc.enable", "webrtc.rtc_configuration", "webrtc.coturn", "desktop.pod",
                        "desktop.envlocal", "desktop.dock", "desktop.defaultbackgroundcolors", "language",
                        "authmanagers", "jwt_token_user", "server.socket_port", "desktop.homedirectorytype",
                        "stack.mode", "logmein", "ManagerUrl", "desktop.policies", "Key With Spaces", "UPPER_CASE",
                        "mixed.Case_1", "a-b", "x", "y", "n", "clé", "sound.tcpport", "a.b.c", "a#b", "a;b",
                        "tab\tinside", "k[0]", "nbsp\u00a0inside", "Webrtc.Enable", "webrtc.enable ");
            }
            StringBuilder k = new StringBuilder();
            int length = 1 + r.nextInt(12);
            String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-  ";
            for (int i = 0; i < length; i++) {
                char c = alphabet.charAt(r.nextInt(alphabet.length()));
                if (i == 0 && (c == ' ' || c == '.')) {
                    c = 'k';
                }
                k.append(c);
            }
            return k.toString().strip();
        }

        // -------------------------------------------------------------- layout

        /**
         * The value's text, markers resolved, % escaped: the first line goes after the
         * delimiter, the others are continuation lines indented deeper than the option.
         */
        private String layout(String value, int optionIndent) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case BREAK:
                        if (i > 0 && chance(0.3)) {
                            newline(line, optionIndent, true, true);
                        } else {
                            line.append(pick("", "", " ", "  ", "\t"));
                        }
                        break;
                    case NEWLINE_STATEMENT:
                        newline(line, optionIndent, true, true);
                        break;
                    case NEWLINE_IN_STRING:
                        newline(line, optionIndent, false, true);
                        break;
                    case NEWLINE_AFTER_BACKSLASH:
                        newline(line, optionIndent, false, false);
                        break;
                    case PERCENT:
                        line.append('%');
                        break;
                    case BAD_PERCENT:
                        line.append('%');
                        break;
                    case '%':
                        line.append(fault(0.3) ? "%" : "%%");
                        break;
                    default:
                        line.append(c);
                        break;
                }
            }
            return line.toString();
        }

        private void newline(StringBuilder line, int optionIndent, boolean comment, boolean blank) {
            if (comment && chance(0.12)) {
                if (fault(0.1)) {
                    line.append('\u00a0'); // in the middle of the line: Python refuses it
                }
                line.append(pick(" # comment", "  # 'quoted' [x]", "\t#", " # é"));
            }
            if (chance(0.15)) {
                // Unicode spaces str.strip() removes (Java's strip() does not remove all of them).
                line.append(pick(" ", "\t", "\u00a0", "\u00a0", "\u2003", "\u3000", "\u2007", "\u202f", "\u0085",
                        "\u2028", "\u001c", "\u000b", "\u000c", " \u00a0", "\u00a0\u00a0", "\u205f", "\u1680"));
            } else if (fault(0.02)) {
                line.append(pick("\u200b", "\ufeff")); // not whitespace to Python
            }
            line.append('\n');
            while (chance(0.12)) {
                if (chance(0.6)) {
                    // A full-line comment, at any column, even 0: configparser drops it, the value goes on.
                    line.append(pick("", "", "  ", "\t", " ".repeat(optionIndent + 4)))
                            .append(pick("#", ";", "# ", "; ")).append(commentText()).append('\n');
                } else if (blank) {
                    line.append(pick("", "", "   ", "\t", "\u00a0", "\u3000 ")).append('\n');
                }
            }
            int extra = 1 + r.nextInt(r.nextInt(8) + 1);
            StringBuilder indent = new StringBuilder(" ".repeat(optionIndent));
            for (int i = 0; i < extra; i++) {
                indent.append(chance(0.85) ? ' ' : '\t');
            }
            if (chance(0.03)) {
                indent.setCharAt(indent.length() - 1, pick('\u00a0', '\u3000', '\u000c'));
            }
            line.append(indent);
        }

        // -------------------------------------------------------------- values

        private String value(String key) {
            brackets = 0;
            int before = budget;
            String v = topValue(key);
            budget = Math.min(budget, before - v.length());
            return v;
        }

        private static final java.util.regex.Pattern NUMBER_ATOM =
                java.util.regex.Pattern.compile("-?[.]?[0-9][0-9a-zA-Z_.+]*|True|False");
        private static final java.util.regex.Pattern STRING_ATOM =
                java.util.regex.Pattern.compile("u?'[^'\"\\\\%\u0001-\u0006]*'|u?\"[^'\"\\\\%\u0001-\u0006]*\"");

        /** A key whose raw value is a plain literal may be interpolated elsewhere. */
        private void remember(String key, String value) {
            boolean number = NUMBER_ATOM.matcher(value).matches();
            if (!number && !STRING_ATOM.matcher(value).matches()) {
                return;
            }
            Atom atom = new Atom(key, number);
            atoms.add(atom);
            if (inDefault) {
                defaultAtoms.add(atom);
            }
        }

        private String topValue(String key) {
            int roll = r.nextInt(100);
            if (roll < 3) {
                return "";
            }
            if (roll < 6 && !atoms.isEmpty()) {
                return interpolation();
            }
            if (roll < 16) {
                return abcdesktop(key);
            }
            if (roll < 20) {
                String first = expr(1);
                String sep = pick(String.valueOf(NEWLINE_STATEMENT), "; ", ";", " ;\t", String.valueOf(NEWLINE_STATEMENT));
                String second = impure(0.3) ? pick("foo", "import os", "x = 1", "print(1)") : pick(expr(1), "[][0]",
                        "{}['missing']", "1 + 'a'", "...");
                return first + sep + second + (chance(0.2) ? ";" : "");
            }
            if (roll < 22) {
                return expr(1) + ";"; // a trailing semicolon
            }
            if (roll < 27) {
                // A bare tuple.
                StringBuilder t = new StringBuilder(scalar());
                int n = r.nextInt(3);
                for (int i = 0; i < n; i++) {
                    t.append(pick(", ", ",", " , ")).append(chance(0.7) ? scalar() : expr(1));
                }
                if (n == 0 || chance(0.3)) {
                    t.append(',');
                }
                return t.toString();
            }
            if (roll < 29 && impure(1)) {
                return pick("os.getenv('X')", "os.getenv('RTCSOUND_SURELY_UNSET', 'default')", "dict(a=1)", "str(5)",
                        "len('abc')", "int('7')", "(1).real", "os.sep", "sys.maxsize", "abs(-4714)", "tuple([1, 2])",
                        "float('inf')", "complex(1, 2)", "'x'.upper()", "True.real", "{'a': [1]}.get('a')", "foo",
                        "x = 1", "a = b = 2", "[1, 2, 3][1:]");
            }
            String v = expr(0);
            if (chance(0.08)) {
                v = v + pick(" # a comment", "  #", " # 'x'", "\t# [global]");
            }
            return v;
        }

        private String interpolation() {
            Atom a = atoms.get(r.nextInt(atoms.size()));
            String ref = PERCENT + "(" + a.key() + ")s";
            if (fault(0.4)) {
                return pick(PERCENT + "(no such key)s", PERCENT + "(" + a.key().toUpperCase() + "X)s", BAD_PERCENT + "d",
                        PERCENT + "(" + a.key() + ")d", "'50" + BAD_PERCENT + "'", PERCENT + "(" + a.key() + ")");
            }
            if (a.number()) {
                return pick(ref, "[" + ref + ", " + ref + "]", "{'port': " + ref + "}", ref + " + 1", ref + " * 2",
                        "'port-" + ref + "'", "-" + ref, "(" + ref + ",)");
            }
            return pick(ref, "[" + ref + "]", ref + " " + ref, ref + " + " + ref, "{'k': " + ref + "}");
        }

        private String expr(int depth) {
            budget -= 12;
            if (budget < 0 || depth > 3) {
                return scalar();
            }
            int roll = r.nextInt(100);
            if (roll < 4) {
                String f = faultExpression();
                if (f != null) {
                    return f;
                }
            }
            if (roll < 6 && !atoms.isEmpty()) {
                // %(key)s: the raw text of another key's value, here.
                return PERCENT + "(" + atoms.get(r.nextInt(atoms.size())).key() + ")s";
            }
            if (roll < 7 && impure(0.5)) {
                return pick("os.getenv('X')", "dict(a=1)", "str(5)", "len('abc')", "(1).real", "os.sep",
                        "os.getenv('X', 'dock')", chance(0.3) ? "foo" : "int('7')");
            }
            if (roll < 30) {
                return dict(depth);
            }
            if (roll < 42) {
                return list(depth);
            }
            if (roll < 48) {
                return tuple(depth);
            }
            if (roll < 70) {
                return string(depth);
            }
            if (roll < 73) {
                return bytesValue(depth);
            }
            return number(depth);
        }

        private String scalar() {
            int roll = r.nextInt(10);
            if (roll < 4) {
                return simpleString();
            }
            if (roll < 8) {
                return numberLiteral();
            }
            return pick("True", "False", "None", "...", "''", "u'dock'", "-1", "0");
        }

        // -------------------------------------------------------------- containers

        private String open(char c) {
            brackets++;
            return String.valueOf(c);
        }

        private String close(char c) {
            brackets--;
            return String.valueOf(c);
        }

        private String sep() {
            return pick(",", ",", ", ", ", ", " , ", ",\t") + BREAK;
        }

        private String elements(int depth, int max) {
            int n = r.nextInt(max + 1);
            StringBuilder s = new StringBuilder();
            s.append(BREAK);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    s.append(sep());
                }
                s.append(expr(depth + 1));
            }
            if (n > 0 && chance(0.25)) {
                s.append(',');
            }
            s.append(BREAK);
            return s.toString();
        }

        private String list(int depth) {
            String l = open('[') + elements(depth, 4) + close(']');
            return containerOps(l, depth);
        }

        private String tuple(int depth) {
            String t;
            int roll = r.nextInt(10);
            if (roll == 0) {
                t = open('(') + close(')');
            } else if (roll < 3) {
                t = open('(') + BREAK + expr(depth + 1) + "," + BREAK + close(')');
            } else {
                t = open('(') + BREAK + expr(depth + 1) + sep() + elements(depth, 3) + close(')');
            }
            return containerOps(t, depth);
        }

        private String containerOps(String c, int depth) {
            int roll = r.nextInt(100);
            if (roll < 8) {
                String other = c.startsWith("[") ? open('[') + elements(depth, 3) + close(']')
                        : open('(') + BREAK + expr(depth + 1) + "," + elements(depth, 2) + close(')');
                return c + op("+") + other;
            }
            if (roll < 14) {
                return chance(0.5) ? c + op("*") + repeatCount() : repeatCount() + op("*") + c;
            }
            if (roll < 18) {
                // A subscript that exists: [a, b, c][i].
                int n = 1 + r.nextInt(3);
                StringBuilder s = new StringBuilder(open('['));
                for (int i = 0; i < n; i++) {
                    s.append(i > 0 ? sep() : "").append(expr(depth + 1));
                }
                s.append(close(']'));
                int index = r.nextInt(2 * n) - n;
                return s + "[" + indexText(index, n) + "]";
            }
            return c;
        }

        private String indexText(int index, int n) {
            if (index == 1 && chance(0.3)) {
                return "True";
            }
            if (index == 0 && chance(0.2)) {
                return pick("False", "0x0", "-0", "0b0");
            }
            if (fault(0.1)) {
                return pick(String.valueOf(n + 2), "1.0", "'0'", "0:1", ":");
            }
            return index < 0 && chance(0.3) ? "- " + (-index) : String.valueOf(index);
        }

        private String dict(int depth) {
            StringBuilder d = new StringBuilder(open('{'));
            d.append(BREAK);
            int n = r.nextInt(5);
            List<String> keyTexts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    d.append(sep());
                }
                if (chance(0.06)) {
                    // ** unpacking: CherryPy's unrepr makes it the key None.
                    d.append("**").append(pick("", " ")).append(chance(0.8) ? dict(depth + 1)
                            : pick("[1, 2]", "'abc'", "1", "None", "(1,)"));
                    continue;
                }
                String k = dictKey();
                keyTexts.add(k);
                d.append(k).append(pick(":", ": ", " : ", ":\t", " :")).append(BREAK).append(expr(depth + 1));
            }
            if (n > 0 && chance(0.25)) {
                d.append(',');
            }
            d.append(BREAK).append(close('}'));
            if (!keyTexts.isEmpty() && chance(0.07)) {
                // A subscript of a key it has (or an equal one: 1 == True == 1.0).
                String k = keyTexts.get(r.nextInt(keyTexts.size()));
                if (k.equals("1") && chance(0.5)) {
                    k = pick("True", "1.0", "1+0j", "0x1");
                }
                if (fault(0.15)) {
                    k = "'no such key'";
                }
                return d + "[" + k + "]";
            }
            if (depth > 0 && fault(0.03)) {
                return d + op("+") + "{}"; // dict + dict: a TypeError
            }
            return d.toString();
        }

        private String dictKey() {
            int roll = r.nextInt(100);
            if (roll < 60) {
                return pick("'sound'", "'enable'", "'tcpport'", "'image'", "'acl'", "'permit'", "'resources'",
                        "'iceServers'", "'urls'", "\"ttl\"", "u'dock'", "'a'", "'b'", "'a'", "'é'", "'with space'",
                        "''", "'%'", "'a' 'b'", "r'\\d'", "'dup'", "'dup'");
            }
            if (roll < 80) {
                return pick("1", "0", "-1", "True", "False", "None", "1.5", "2j", "0x10", "...", "1", "-0.0", "0.0");
            }
            if (roll < 90) {
                return pick("b'key'", "(1, 2)", "('a',)", "()", "(1, (2, 3))");
            }
            if (fault(0.15)) {
                return pick("[1]", "{}", "{'a': 1}", "([1],)");
            }
            return simpleString();
        }

        // -------------------------------------------------------------- numbers

        private String number(int depth) {
            int roll = r.nextInt(100);
            if (roll < 60 || depth > 2) {
                return numberLiteral();
            }
            if (roll < 72) {
                return (fault(0.1) ? "+" : "-") + pick("", "", " ") + number(depth + 1); // unary + is not unrepr's
            }
            if (roll < 90) {
                String a = number(depth + 1);
                String b = number(depth + 1);
                if (chance(0.3)) {
                    a = open('(') + a + close(')');
                }
                return a + op(chance(0.5) ? "+" : "*") + b;
            }
            if (roll < 95) {
                return open('(') + BREAK + number(depth + 1) + BREAK + close(')');
            }
            if (roll < 98) {
                int n = 1 + r.nextInt(3);
                StringBuilder s = new StringBuilder("b'");
                for (int i = 0; i < n; i++) {
                    s.append((char) ('a' + r.nextInt(26)));
                }
                return s + "'[" + indexText(r.nextInt(2 * n) - n, n) + "]";
            }
            return "{'n': " + numberLiteral() + "}['n']";
        }

        private String op(String op) {
            String before = pick(" ", " ", "", "\t");
            String after = pick(" ", " ", "", "\t");
            if (brackets > 0 && chance(0.2)) {
                after = after + BREAK;
            } else if (brackets == 0 && chance(0.05)) {
                after = after + "\\" + NEWLINE_AFTER_BACKSLASH; // explicit line joining
            }
            return before + op + after;
        }

        private String repeatCount() {
            return pick("0", "1", "2", "3", "5", "-1", "True", "False", "0x2", "(1 + 2)", "2 * 2", "0b11", "4", "49");
        }

        private String numberLiteral() {
            int roll = r.nextInt(100);
            if (roll < 30) {
                return intLiteral();
            }
            if (roll < 55) {
                return floatLiteral();
            }
            if (roll < 65) {
                return imaginaryLiteral();
            }
            if (roll < 75) {
                return pick("True", "False");
            }
            if (fault(0.3)) {
                return pick("007", "1__0", "1_", "0b2", "0o8", "0x", "1.e_5", "1e", "0_7", "1.2.3", "1jj", "08",
                        "0x_", "1e400e1", "5L", "1 000");
            }
            return pick("4714", "3600", "0", "-1", "10000", "2", "1.0");
        }

        private String intLiteral() {
            int roll = r.nextInt(10);
            switch (roll) {
                case 0:
                    return pick("0", "00", "0_0", "000", "7", "42", "4714", "3600", "65535", "2147483647",
                            "2147483648", "9223372036854775807", "9223372036854775808", "18446744073709551616");
                case 1:
                    return pick("0x", "0X") + underscored(hexDigits(1 + r.nextInt(12)), true);
                case 2:
                    return pick("0o", "0O") + underscored(digits("01234567", 1 + r.nextInt(8)), true);
                case 3:
                    return pick("0b", "0B") + underscored(digits("01", 1 + r.nextInt(16)), true);
                case 4:
                    return underscored("1" + digits("0123456789", r.nextInt(30)), false);
                default:
                    return String.valueOf(r.nextInt(roll < 8 ? 100 : 100000));
            }
        }

        private String floatLiteral() {
            int roll = r.nextInt(12);
            switch (roll) {
                case 0:
                    return pick("1.5", ".5", "5.", "0.0", "0.", ".0", "1e5", "1E-5", "1e+5", "2.5e-3", "1_0.5_0",
                            "007.5", "09.5", "0e0", "00.00", "1.e5");
                case 1:
                    return pick("1e400", "1e-400", "1.7976931348623157e308", "1.7976931348623159e308", "4.9e-324",
                            "2.4703282292062327e-324", "2.4703282292062328e-324", "2.2250738585072011e-308",
                            "0.1", "0.30000000000000004", "3.141592653589793238462643383279", "1e22", "1e23",
                            "9007199254740993.0", "123456789012345678901234567890.0", "1_000.000_1e1_0");
                case 2:
                    return digits("0123456789", 1 + r.nextInt(3)) + "." + digits("0123456789", r.nextInt(25));
                case 3: {
                    String mantissa = "1" + digits("0123456789", r.nextInt(20));
                    String dot = chance(0.5) ? mantissa.substring(0, 1) + "." + mantissa.substring(1) : mantissa;
                    return dot + pick("e", "E") + pick("", "+", "-") + r.nextInt(330);
                }
                default:
                    return r.nextInt(1000) + "." + r.nextInt(1000);
            }
        }

        private String imaginaryLiteral() {
            if (chance(0.5)) {
                return pick("2j", "2J", "1.5j", "1e3j", "0j", "09j", ".5j", "5.j", "1e400j", "1_0j", "1E-3J");
            }
            return (chance(0.5) ? intLiteral().replaceFirst("^0[xXoObB].*", "3") : floatLiteral()) + pick("j", "J");
        }

        private String hexDigits(int n) {
            return digits("0123456789abcdefABCDEF", n);
        }

        private String digits(String alphabet, int n) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                s.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            return s.toString();
        }

        /** Underscores between digits, and after a 0x/0o/0b prefix, where Python allows them. */
        private String underscored(String digits, boolean afterPrefix) {
            if (!chance(0.3)) {
                return digits;
            }
            StringBuilder s = new StringBuilder();
            if (afterPrefix && chance(0.3)) {
                s.append('_');
            }
            for (int i = 0; i < digits.length(); i++) {
                if (i > 0 && chance(0.25)) {
                    s.append('_');
                }
                s.append(digits.charAt(i));
            }
            return s.toString();
        }

        // -------------------------------------------------------------- strings

        private String simpleString() {
            String q = pick("'", "\"");
            return pick("", "", "u") + q + pick("dock", "tcp", "IfNotPresent", "all", "", "a", "/composer/node/websockify.js",
                    "stun:stun.l.google.com:19302", "8Mi", "50m", "é", "中文", "😀", "a b") + q;
        }

        private String string(int depth) {
            int roll = r.nextInt(100);
            if (roll < 75 || depth > 2) {
                return concatenation(false);
            }
            if (roll < 85) {
                return concatenation(false) + op("+") + concatenation(false);
            }
            if (roll < 93) {
                return chance(0.5) ? concatenation(false) + op("*") + repeatCount()
                        : repeatCount() + op("*") + concatenation(false);
            }
            // A character of a string that has it.
            String content = digits("abcdefgh", 1 + r.nextInt(5));
            return "'" + content + "'[" + indexText(r.nextInt(2 * content.length())
                    - content.length(), content.length()) + "]";
        }

        private String bytesValue(int depth) {
            int roll = r.nextInt(100);
            if (roll < 80 || depth > 2) {
                return concatenation(true);
            }
            if (roll < 90) {
                return concatenation(true) + op("+") + concatenation(true);
            }
            return concatenation(true) + op("*") + repeatCount();
        }

        /** Adjacent literals, which Python joins into one. */
        private String concatenation(boolean bytes) {
            int n = chance(0.75) ? 1 : 2 + r.nextInt(2);
            StringBuilder s = new StringBuilder();
            String previousQuote = null;
            for (int i = 0; i < n; i++) {
                boolean asBytes = bytes;
                if (i > 0 && fault(0.2)) {
                    asBytes = !bytes; // bytes and str: a SyntaxError
                }
                String quote = pick("'", "'", "\"", "\"", "'''", "\"\"\"");
                if (i > 0) {
                    String glue = pick(" ", " ", "", "\t");
                    if (brackets > 0 && chance(0.3)) {
                        glue = " " + BREAK;
                    } else if (chance(0.08)) {
                        glue = " \\" + NEWLINE_AFTER_BACKSLASH;
                    }
                    if (glue.isEmpty() && quote.charAt(0) == previousQuote.charAt(0)) {
                        glue = " "; // '' followed by ' would open a triple quote
                    }
                    s.append(glue);
                }
                s.append(literal(asBytes, quote));
                previousQuote = quote;
            }
            return s.toString();
        }

        private String literal(boolean bytes, String quote) {
            String prefix;
            if (fault(0.03)) {
                prefix = pick("f", "F", "fr", "rf", "ur", "Ur", "bu", "ub", "x", "rr", "bb", "uu");
            } else if (bytes) {
                prefix = pick("b", "B", "b", "br", "rb", "Rb", "bR", "BR", "rB");
            } else {
                prefix = pick("", "", "", "", "u", "U", "r", "R");
            }
            boolean raw = prefix.indexOf('r') >= 0 || prefix.indexOf('R') >= 0;
            boolean triple = quote.length() == 3;
            char q = quote.charAt(0);
            StringBuilder content = new StringBuilder();
            int pieces = r.nextInt(7);
            for (int i = 0; i < pieces; i++) {
                content.append(piece(bytes, raw, triple, q));
            }
            if (fault(0.03)) {
                return prefix + quote + content; // unterminated
            }
            return prefix + quote + content + quote;
        }

        private String piece(boolean bytes, boolean raw, boolean triple, char q) {
            int roll = r.nextInt(100);
            if (roll < 35) {
                return plain(q);
            }
            if (roll < 42) {
                char other = q == '\'' ? '"' : '\'';
                return triple ? q + plain(q) + "x" : String.valueOf(other);
            }
            if (roll < 52) {
                if (!bytes || fault(0.2)) {
                    return pick("é", "ü", "ß", "中文", "€", "😀", "\u00a0", "\u2003", "\u3000", "\u200b", "Ā", "ﬁ",
                            "ǅ", "\u00a0x\u00a0", "e\u0301", "\ud83c\udfb5");
                }
                return plain(q);
            }
            if (roll < 80) {
                return raw ? rawBackslash(q) : escape(bytes, q);
            }
            if (roll < 88) {
                // A backslash at the end of the line: the string goes on on the next (configparser strips
                // the continuation line's indentation, and any Unicode spaces after the backslash).
                return plain(q) + "\\" + NEWLINE_AFTER_BACKSLASH + plain(q);
            }
            if (roll < 95 && triple) {
                return NEWLINE_IN_STRING + plain(q);
            }
            if (roll < 97 && !triple && fault(0.3)) {
                return String.valueOf(NEWLINE_IN_STRING); // a line break in a one-line string
            }
            return " " + plain(q);
        }

        private String plain(char q) {
            String alphabet = "abcdefghijklmnopqrstuvwxyz ABCXYZ 0123456789 -_/.,:;#!?@$&*+=<>()[]{}|~^`% ";
            StringBuilder s = new StringBuilder();
            int n = r.nextInt(8);
            for (int i = 0; i < n; i++) {
                s.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            return s.toString();
        }

        private String rawBackslash(char q) {
            return pick("\\d", "\\n", "\\\\", "\\" + q, "\\x", "\\N{", "\\u00e9", "\\ ", "a\\b");
        }

        private String escape(boolean bytes, char q) {
            int roll = r.nextInt(100);
            if (roll < 30) {
                return pick("\\\\", "\\'", "\\\"", "\\a", "\\b", "\\f", "\\n", "\\r", "\\t", "\\v", "\\" + q);
            }
            if (roll < 45) {
                return pick("\\0", "\\7", "\\12", "\\123", "\\177", "\\377", "\\400", "\\777", "\\0a", "\\1234", "\\8",
                        "\\9");
            }
            if (roll < 58) {
                return "\\x" + hexDigits(2) + (chance(0.2) ? hexDigits(1) : "");
            }
            if (roll < 66) {
                return unknownEscape();
            }
            if (bytes) {
                // \\u, \\U and \\N are not escapes in bytes: both characters stay.
                return pick("\\u00e9", "\\U0001F600", "\\N{LATIN SMALL LETTER A}", "\\x00", "\\xff");
            }
            if (roll < 76) {
                int cp = r.nextInt(0xD800);
                if (cp < 0x20 && chance(0.5)) {
                    cp += 0x20;
                }
                return String.format("\\u%04x", cp);
            }
            if (roll < 84) {
                int cp = chance(0.5) ? 0xE000 + r.nextInt(0x10FFFF - 0xE000 + 1) : r.nextInt(0xD800);
                return String.format(chance(0.5) ? "\\U%08x" : "\\U%08X", cp);
            }
            if (roll < 94) {
                // Character names only: Python's name aliases (NBSP, LINE FEED) are a documented limit
                // of rtcsound's reader (README, "od.config, as CherryPy reads it").
                return "\\N{" + pick("LATIN SMALL LETTER A", "latin small letter e with acute", "NO-BREAK SPACE",
                        "EM SPACE", "SNOWMAN", "GREEK SMALL LETTER ALPHA", "IDEOGRAPHIC SPACE",
                        "Latin Capital Letter A", "SPACE") + "}";
            }
            if (fault(0.8)) {
                return pick("\\x4", "\\xg0", "\\u12", "\\u123g", "\\U0011ffff", "\\U00110000", "\\UFFFFFFFF",
                        "\\N{NOT A CHARACTER NAME}", "\\N{}", "\\N", "\\N{LATIN SMALL LETTER A", "\\x");
            }
            return "\\N{LATIN SMALL LETTER A}";
        }

        private String unknownEscape() {
            return pick("\\d", "\\w", "\\s", "\\ ", "\\.", "\\/", "\\[", "\\(", "\\é", "\\%", "\\z", "\\E", "\\-");
        }

        // -------------------------------------------------------------- faults in values

        private String faultExpression() {
            if (!fault(0.5)) {
                return null;
            }
            return pick("{1, 2}", "[1, 2][0:1]", "'abc'[1:]", "1 - 2", "1 / 2", "2 ** 3", "7 // 2", "7 " + BAD_PERCENT + " 2",
                    "+1", "~1", "not 1", "1 < 2", "1 and 2", "lambda: 1", "[x for x in ()]", "{'a': 1}['b']", "[1][3]",
                    "1 + 'a'", "'a' * 1.5", "[1] * 'a'", "{[1]: 2}", "f'x'", "f'{1}'", "'abc", "(1", "]", "1 2", "1 if 1 else 2",
                    "1\u00a0+ 2", "1\u200b", "{**{'a': 1}, *[1]}", "*[1]", "(yield)", "{'a'}", "'x' - 'y'", "-'a'",
                    "[] + ()", "b'a' + 'a'", "(1, 2)[2]", "{}[0]",
                    "foo", "None()", "1()", "'a'['a']");
        }

        // -------------------------------------------------------------- abcdesktop

        private String abcdesktop(String key) {
            int which = switch (key) {
                case "desktop.pod" -> 0;
                case "desktop.envlocal" -> 3;
                case "desktop.defaultbackgroundcolors" -> 4;
                case "desktop.dock" -> 5;
                case "authmanagers" -> 6;
                case "webrtc.rtc_configuration" -> 7;
                case "webrtc.coturn" -> 8;
                default -> r.nextInt(9);
            };
            String template = switch (which) {
                case 0, 1, 2 -> desktopPod();
                case 3 -> "{ 'X11LISTEN': 'tcp', 'WEBSOCKIFY': '/composer/node/websockify.js', "
                        + "'STUN_SERVER': 'stun://stun.l.google.com:19302', 'TURN_SERVER': 'turn:turn.domain.local:3478' }";
                case 4 -> "[ '#6EC6F0', '#333333', '#666666', '#CD3C14', '#4BB4E6', '#50BE87', '#A885D8', '#FFB4E6' ]";
                case 5 -> "{ 'filemanager': { 'name': u'filemanager', 'acl': { 'permit': [ 'all' ] }, "
                        + "'launch': 'nautilus.Nautilus', 'displayname': u'File Manager', 'execmode': 'builtin', "
                        + "'cat': 'utilities', 'id': 'filemanager.d', 'icon': 'pantheon-files-calendar.svg', "
                        + "'keyword': 'files,file manager', 'desktopfile': 'org.gnome.Nautilus.desktop' }, "
                        + "'terminal': { 'name': u'TerminalWebShell', 'launch': 'frontendjs.webshell', 'dock': u'dock' } }";
                case 6 -> "{ 'external': { }, 'explicit': { }, 'implicit': { 'providers': { 'anonymous': { "
                        + "'displayname': 'Anonymous', 'caption': 'Have a look !', 'userid': 'anonymous', "
                        + "'username': 'Anonymous' } } } }";
                case 7 -> "{ 'iceServers': [ { 'urls': 'stun:stun.l.google.com:19302' } ] }";
                default -> "{ 'coturn_static_auth_secret': 'CHANGEME', 'ttl': 3600, 'protocol': 'turns', "
                        + "'url': 'turn.domain.local:3478', 'ratio': '50%', 'enable': True }";
            };
            return breakify(template);
        }

        private String desktopPod() {
            StringBuilder pod = new StringBuilder("{ ");
            if (chance(0.5)) {
                pod.append("'spec': { 'shareProcessNamespace': True, 'shareProcessMemory': True }, ");
            }
            if (chance(0.6)) {
                pod.append("'graphical': { 'image': { 'default': 'abcdesktopio/oc.user.ubuntu:3.2' }, ")
                        .append("'pullpolicy': 'IfNotPresent', 'enable': True, 'acl': { 'permit': [ 'all' ] }, ")
                        .append("'waitportbin': '/composer/node/wait-port/node_modules/.bin/wait-port', ")
                        .append("'resources': { 'requests': { 'memory': \"320Mi\", 'cpu': \"250m\" } } }, ");
            }
            pod.append("'sound': { 'image': 'abcdesktopio/oc.pulseaudio:3.2', 'pullpolicy': 'IfNotPresent', ")
                    .append("'enable': ").append(pick("True", "True", "False")).append(", 'tcpport': ")
                    .append(pick("4714", "4714", "0x126a", "4_714")).append(", ")
                    .append("'acl': { 'permit': [ 'all' ] }, ")
                    .append("'resources': { 'requests': { 'memory': \"8Mi\", 'cpu': \"50m\" }, ")
                    .append("'limits': { 'memory': \"2Gi\", 'cpu': \"2000m\" } } }");
            if (chance(0.6)) {
                pod.append(", 'init': { 'image': 'busybox', 'enable': True, 'pullpolicy': 'IfNotPresent', ")
                        .append("'securityContext': { 'runAsUser': 0 }, ")
                        .append("'command': [ 'sh', '-c', 'chown 4096:4096 /home/balloon \\")
                        .append(NEWLINE_AFTER_BACKSLASH)
                        .append("&& chmod 750 /home/balloon \\")
                        .append(NEWLINE_AFTER_BACKSLASH)
                        .append("&& echo done' ] }");
            }
            if (chance(0.3)) {
                pod.append(", 'printer': { 'image': 'abcdesktopio/oc.cupsd:3.2', 'enable': False, 'tcpport': 681 }");
            }
            pod.append(chance(0.2) ? ", }" : " }");
            return pod.toString();
        }

        /** Line breaks after brackets and commas, outside the template's strings; quotes varied. */
        private String breakify(String template) {
            StringBuilder s = new StringBuilder();
            boolean inString = false;
            char quote = 0;
            for (int i = 0; i < template.length(); i++) {
                char c = template.charAt(i);
                if (inString) {
                    s.append(c);
                    if (c == quote) {
                        inString = false;
                    }
                    continue;
                }
                if (c == '\'' || c == '"') {
                    inString = true;
                    quote = c;
                    if (chance(0.04) && (s.length() == 0 || !Character.isLetter(s.charAt(s.length() - 1)))) {
                        s.append('u');
                    }
                    s.append(c);
                    continue;
                }
                s.append(c);
                if (c == '{' || c == '[' || c == ',') {
                    s.append(BREAK);
                }
                if (c == ' ' && i + 1 < template.length() && (template.charAt(i + 1) == '}'
                        || template.charAt(i + 1) == ']')) {
                    s.append(BREAK);
                }
            }
            return s.toString();
        }
    }
}

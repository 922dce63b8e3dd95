package org.rtcsound.config;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.json.JsonValue;

/**
 * Reads od.config as abcdesktop writes it: CherryPy's "reprconf", an INI file (Python's
 * configparser) whose values are Python literals.
 *
 * <ul>
 * <li>sections {@code [global]}; {@code key : value} or {@code key = value}; keys keep case;</li>
 * <li>a value goes on over indented continuation lines;</li>
 * <li>full-line comments start with {@code #} or {@code ;}; a {@code #} after a value
 * starts a comment (Python's own);</li>
 * <li>{@code %%} is a literal {@code %}; a duplicate key or section is an error;</li>
 * <li>values are literals only ({@link PythonLiteral}): abcdesktop evaluated them, so a
 * file could run code; rtcsound refuses anything but a literal.</li>
 * </ul>
 * Every refusal names the file, line and column.
 */
public final class OdConfigReader {

    /** The real od.config is tens of kilobytes; anything this large is a mistake. */
    public static final int MAX_BYTES = 2 * 1024 * 1024;

    private OdConfigReader() {
    }

    public static OdConfig read(String file, byte[] content) throws OdConfigException {
        if (content.length > MAX_BYTES) {
            throw new OdConfigException(file, 1, 1, "the file is " + content.length
                    + " bytes; od.config may be at most " + MAX_BYTES + " bytes");
        }
        return parse(file, decode(file, content));
    }

    private static String decode(String file, byte[] content) throws OdConfigException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(content.length + 1);
        CoderResult result = decoder.decode(ByteBuffer.wrap(content), out, true);
        if (result.isError()) {
            String before = out.flip().toString();
            throw at(file, before, before.length(), "bytes that are not UTF-8: od.config must be text");
        }
        decoder.flush(out);
        String text = out.flip().toString();
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            throw at(file, text, nul, "a NUL byte: od.config must be text");
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    static OdConfig parse(String file, String text) throws OdConfigException {
        Map<String, Map<String, JsonValue>> sections = new LinkedHashMap<>();
        Map<String, JsonValue> section = null;
        String[] lines = text.split("\r\n|\r|\n", -1);
        int i = 0;
        while (i < lines.length) {
            String line = lines[i];
            String stripped = line.strip();
            int lineNumber = i + 1;
            i++;
            if (stripped.isEmpty() || stripped.startsWith("#") || stripped.startsWith(";")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                throw new OdConfigException(file, lineNumber, 1,
                        "an indented line continues a value, but no key comes before it");
            }
            if (stripped.startsWith("[")) {
                int end = stripped.indexOf(']');
                if (end < 0 || !stripped.substring(end + 1).isBlank()) {
                    throw new OdConfigException(file, lineNumber, 1, "expected a section header such as [global]");
                }
                String name = stripped.substring(1, end).strip();
                if (sections.containsKey(name)) {
                    throw new OdConfigException(file, lineNumber, 1, "section [" + name + "] appears twice");
                }
                section = new LinkedHashMap<>();
                sections.put(name, section);
                continue;
            }
            int delimiter = firstDelimiter(line);
            if (delimiter <= 0 || line.substring(0, delimiter).isBlank()) {
                throw new OdConfigException(file, lineNumber, 1, "expected 'key : value' or 'key = value'");
            }
            if (section == null) {
                throw new OdConfigException(file, lineNumber, 1, "a key before any section: start with [global]");
            }
            String key = line.substring(0, delimiter).strip();
            if (section.containsKey(key)) {
                throw new OdConfigException(file, lineNumber, 1, "key '" + key + "' appears twice");
            }
            // The value: the rest of this line, then every indented (or blank) line after it.
            List<ValueLine> value = new ArrayList<>();
            value.add(new ValueLine(lineNumber, delimiter + 2, line.substring(delimiter + 1)));
            int last = i;
            while (i < lines.length) {
                String next = lines[i];
                if (next.isBlank()) {
                    i++;
                    continue;
                }
                if (!Character.isWhitespace(next.charAt(0))) {
                    break;
                }
                String nextStripped = next.strip();
                if (!nextStripped.startsWith("#") && !nextStripped.startsWith(";")) {
                    value.add(new ValueLine(i + 1, 1, next));
                }
                i++;
                last = i;
            }
            i = last;
            section.put(key, evaluate(file, key, value));
        }
        return new OdConfig(sections);
    }

    /** One physical line of a value: where it starts in the file, and its text. */
    private record ValueLine(int line, int column, String text) {
    }

    private static JsonValue evaluate(String file, String key, List<ValueLine> lines) throws OdConfigException {
        // Join the lines, undo configparser's %% escape, and remember where each character came from.
        StringBuilder text = new StringBuilder();
        List<int[]> origin = new ArrayList<>(); // per character: {line, column}
        for (int n = 0; n < lines.size(); n++) {
            ValueLine vl = lines.get(n);
            if (n > 0) {
                text.append('\n');
                origin.add(new int[] {vl.line(), 1});
            }
            String raw = vl.text();
            for (int c = 0; c < raw.length(); c++) {
                char ch = raw.charAt(c);
                int column = vl.column() + c;
                if (ch == '%') {
                    if (c + 1 < raw.length() && raw.charAt(c + 1) == '%') {
                        c++;
                    } else if (c + 1 < raw.length() && raw.charAt(c + 1) == '(') {
                        throw new OdConfigException(file, vl.line(), column,
                                "'%(name)s' interpolation is not supported; write a literal % as '%%'");
                    } else {
                        throw new OdConfigException(file, vl.line(), column, "a '%' alone: write a literal % as '%%'");
                    }
                }
                text.append(ch);
                origin.add(new int[] {vl.line(), column});
            }
        }
        try {
            return PythonLiteral.parse(text.toString());
        } catch (PythonLiteral.SyntaxError e) {
            int[] where = e.offset() < origin.size() ? origin.get(e.offset())
                    : origin.isEmpty() ? new int[] {lines.get(0).line(), lines.get(0).column()}
                    : new int[] {origin.get(origin.size() - 1)[0], origin.get(origin.size() - 1)[1] + 1};
            throw new OdConfigException(file, where[0], where[1], "in the value of '" + key + "': " + e.getMessage());
        }
    }

    /** configparser splits at the first ':' or '='. */
    private static int firstDelimiter(String line) {
        int colon = line.indexOf(':');
        int equals = line.indexOf('=');
        if (colon < 0) {
            return equals;
        }
        return equals < 0 ? colon : Math.min(colon, equals);
    }

    private static OdConfigException at(String file, String text, int offset, String problem) {
        int line = 1;
        int column = 1;
        for (int k = 0; k < offset && k < text.length(); k++) {
            if (text.charAt(k) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new OdConfigException(file, line, column, problem);
    }
}

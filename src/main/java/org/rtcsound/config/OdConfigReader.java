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
 * Reads od.config exactly as abcdesktop's pyos reads it, with CherryPy's
 * {@code reprconf.Config}: UTF-8 text, an INI file as Python 3.11's configparser reads it
 * ({@link IniFile}), each value Python source read by CherryPy's {@code unrepr}
 * ({@link PythonExpression}). The differential test runs CherryPy itself on thousands of
 * generated files and checks that rtcsound reads each one to the same values or refuses it.
 *
 * <p>The deliberate difference: CherryPy evaluates names and calls, rtcsound refuses them.
 * Every refusal names the file, line and column.
 */
public final class OdConfigReader {

    /** The real od.config is tens of kilobytes; anything this large is a mistake. */
    public static final int MAX_BYTES = 2 * 1024 * 1024;

    private OdConfigReader() {
    }

    /** The file's sections with their values as JSON, the view the rest of rtcsound uses. */
    public static OdConfig read(String file, byte[] content) throws OdConfigException {
        Map<String, Map<String, JsonValue>> sections = new LinkedHashMap<>();
        readPython(file, content).forEach((section, options) -> {
            Map<String, JsonValue> json = new LinkedHashMap<>();
            options.forEach((key, value) -> json.put(key, value.toJson()));
            sections.put(section, json);
        });
        return new OdConfig(sections);
    }

    /**
     * The file in the canonical text the differential test compares with CherryPy's reading:
     * {@code [section]key=value;...}, names and values as {@link PyValue#canonical()} writes them.
     */
    public static String canonical(String file, byte[] content) throws OdConfigException {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Map<String, PyValue>> section : readPython(file, content).entrySet()) {
            out.append('[').append(new PyValue.Str(section.getKey()).canonical()).append(']');
            section.getValue().forEach((key, value) -> out.append(new PyValue.Str(key).canonical()).append('=')
                    .append(value.canonical()).append(';'));
        }
        return out.toString();
    }

    /** Section to key to value, as Python objects. */
    static Map<String, Map<String, PyValue>> readPython(String file, byte[] content) throws OdConfigException {
        if (content.length > MAX_BYTES) {
            throw new OdConfigException(file, 1, 1, "the file is " + content.length
                    + " bytes; od.config may be at most " + MAX_BYTES + " bytes");
        }
        IniFile ini = IniFile.parse(file, lines(decode(file, content)));
        Map<String, Map<String, PyValue>> sections = new LinkedHashMap<>();
        for (String section : ini.sections()) {
            Map<String, PyValue> values = new LinkedHashMap<>();
            for (String option : ini.options(section)) {
                LocatedText text = ini.value(section, option);
                try {
                    values.put(option, PythonExpression.parse(text.text()));
                } catch (PythonExpression.SyntaxError e) {
                    throw new OdConfigException(file, text.line(e.offset()), text.column(e.offset()),
                            "in the value of '" + option + "': " + e.getMessage());
                }
            }
            sections.put(section, values);
        }
        // CherryPy's Config takes a section named 'environment' for the name of an environment
        // to apply, and fails on anything but an empty one.
        Map<String, PyValue> environment = sections.get("environment");
        if (environment != null && !environment.isEmpty()) {
            throw new OdConfigException(file, 1, 1, "a section [environment] with keys: CherryPy's reader takes"
                    + " that section as the name of an environment and refuses the file; rename the section");
        }
        return sections;
    }

    private static String decode(String file, byte[] content) throws OdConfigException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(content.length + 1);
        CoderResult result = decoder.decode(ByteBuffer.wrap(content), out, true);
        if (result.isError()) {
            String before = out.flip().toString();
            int line = 1 + (int) before.chars().filter(c -> c == '\n').count();
            int column = before.length() - before.lastIndexOf('\n');
            throw new OdConfigException(file, line, column, "bytes that are not UTF-8: od.config must be UTF-8 text");
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** Lines as Python's universal newlines split a file: at \n, \r\n and a lone \r. */
    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }
}

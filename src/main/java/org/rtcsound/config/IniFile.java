package org.rtcsound.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The INI layer of od.config, read as Python 3.11's {@code configparser.ConfigParser} reads
 * it for CherryPy (keys keep their case, strict, {@code BasicInterpolation}):
 *
 * <ul>
 * <li>a line whose stripped text starts with {@code #} or {@code ;} is a comment, wherever it
 * stands, even inside a value; a {@code #} after a value is left to Python;</li>
 * <li>{@code [name]} opens a section (anything up to the last {@code ]}; what follows is
 * ignored); {@code [DEFAULT]} holds keys every section inherits;</li>
 * <li>{@code key : value} or {@code key = value}, split at the first {@code :} or
 * {@code =}; a line indented deeper than its key's line continues the value; blank lines
 * inside a value are kept; every line is stripped of Unicode white space
 * ({@code str.strip()}: the no-break space U+00A0 too);</li>
 * <li>a key or section given twice is an error; so is text before the first section;</li>
 * <li>on reading, {@code %%} is a literal {@code %} and {@code %(key)s} is the raw value of
 * another key of the section (or of DEFAULT), ten levels deep at most.</li>
 * </ul>
 */
final class IniFile {

    static final String DEFAULT_SECTION = "DEFAULT";
    private static final int MAX_INTERPOLATION_DEPTH = 10;
    private static final Pattern REFERENCE = Pattern.compile("%\\(([^)]+)\\)s");

    private final String file;
    private final Map<String, Map<String, LocatedText>> sections = new LinkedHashMap<>();
    private final Map<String, LocatedText> defaults = new LinkedHashMap<>();

    private IniFile(String file) {
        this.file = file;
    }

    /** @param lines the file's lines, split as Python's universal newlines split them */
    static IniFile parse(String file, List<String> lines) throws OdConfigException {
        IniFile ini = new IniFile(file);
        ini.read(lines);
        return ini;
    }

    /** Section names in file order, DEFAULT excluded. */
    Set<String> sections() {
        return sections.keySet();
    }

    /** A section's keys and then the DEFAULT keys it does not have itself. */
    List<String> options(String section) {
        List<String> names = new ArrayList<>(sections.get(section).keySet());
        defaults.keySet().stream().filter(k -> !names.contains(k)).forEach(names::add);
        return names;
    }

    private void read(List<String> lines) throws OdConfigException {
        Set<String> added = new HashSet<>();
        Map<String, LocatedText> current = null;
        String sectionName = null;
        String optionName = null;
        // per option, the lines of its value; joined at the end as configparser joins them
        Map<LocatedText, List<LocatedText>> valueLines = new LinkedHashMap<>();
        LocatedText currentValue = null;
        int indentLevel = 0;
        OdConfigException deferred = null;
        for (int n = 0; n < lines.size(); n++) {
            int lineNumber = n + 1;
            String line = lines.get(n);
            String stripped = PythonText.strip(line);
            boolean comment = stripped.startsWith("#") || stripped.startsWith(";");
            if (comment || stripped.isEmpty()) {
                if (!comment && current != null && optionName != null && !optionName.isEmpty()) {
                    valueLines.get(currentValue).add(new LocatedText(lineNumber, 1)); // a blank line inside a value
                }
                continue;
            }
            int indent = PythonText.firstNonSpace(line);
            if (current != null && optionName != null && !optionName.isEmpty() && indent > indentLevel) {
                valueLines.get(currentValue).add(new LocatedText(lineNumber, indent + 1).append(stripped, lineNumber,
                        indent + 1));
                continue;
            }
            indentLevel = indent;
            int close = stripped.lastIndexOf(']');
            if (stripped.startsWith("[") && close >= 2) {
                sectionName = stripped.substring(1, close);
                if (sections.containsKey(sectionName)) {
                    throw new OdConfigException(file, lineNumber, indent + 1,
                            "section [" + sectionName + "] appears twice");
                } else if (DEFAULT_SECTION.equals(sectionName)) {
                    current = defaults;
                } else {
                    current = new LinkedHashMap<>();
                    sections.put(sectionName, current);
                    added.add(sectionName);
                }
                optionName = null;
                continue;
            }
            if (current == null) {
                throw new OdConfigException(file, lineNumber, 1, line.startsWith("\uFEFF")
                        ? "the file starts with a byte-order mark (BOM), which abcdesktop's reader refuses too: save"
                                + " od.config as UTF-8 without BOM"
                        : "a line before any section: od.config starts with a section such as [global]");
            }
            int delimiter = firstDelimiter(stripped);
            if (delimiter < 0) {
                deferred = deferred != null ? deferred : new OdConfigException(file, lineNumber, indent + 1,
                        "expected 'key : value' or 'key = value' (or an indented line that continues a value)");
                continue; // as in configparser, the key before stays open for continuation lines
            }
            optionName = rstrip(stripped.substring(0, delimiter));
            if (optionName.isEmpty() && deferred == null) {
                deferred = new OdConfigException(file, lineNumber, indent + 1, "a value without a key");
            }
            if (!added.add(sectionName + "\u0000" + optionName)) {
                throw new OdConfigException(file, lineNumber, indent + 1,
                        "key '" + optionName + "' appears twice in [" + sectionName + "]");
            }
            String rest = stripped.substring(delimiter + 1);
            int valueStart = PythonText.firstNonSpace(rest);
            int column = valueStart < 0 ? indent + 1 + stripped.length() : indent + delimiter + 2 + valueStart;
            currentValue = new LocatedText(lineNumber, column);
            List<LocatedText> valueParts = new ArrayList<>();
            valueParts.add(new LocatedText(lineNumber, column).append(PythonText.strip(rest), lineNumber, column));
            valueLines.put(currentValue, valueParts);
            current.put(optionName, currentValue);
        }
        // configparser joins each value's lines with newlines and strips the end
        for (Map.Entry<LocatedText, List<LocatedText>> entry : valueLines.entrySet()) {
            LocatedText joined = entry.getKey();
            List<LocatedText> parts = entry.getValue();
            for (int i = 0; i < parts.size(); i++) {
                LocatedText part = parts.get(i);
                if (i > 0) {
                    LocatedText previous = parts.get(i - 1);
                    joined.append('\n', previous.line(previous.length()), previous.column(previous.length()));
                }
                joined.append(part, 0, part.length());
            }
            joined.rstrip();
        }
        if (deferred != null) {
            throw deferred;
        }
    }

    /** configparser's option pattern: the key ends at the first ':' or '='. */
    private static int firstDelimiter(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ':' || text.charAt(i) == '=') {
                return i;
            }
        }
        return -1;
    }

    private static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && PythonText.isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    /** A value as configparser's {@code get} gives it: {@code %%} and {@code %(key)s} resolved. */
    LocatedText value(String section, String option) throws OdConfigException {
        LocatedText raw = lookup(section, option);
        LocatedText out = new LocatedText(raw.line(0), raw.column(0));
        interpolate(section, option, raw, out, 1);
        return out;
    }

    private LocatedText lookup(String section, String option) {
        LocatedText own = sections.get(section).get(option);
        return own != null ? own : defaults.get(option);
    }

    private void interpolate(String section, String option, LocatedText rest, LocatedText out, int depth)
            throws OdConfigException {
        if (depth > MAX_INTERPOLATION_DEPTH) {
            throw new OdConfigException(file, rest.line(0), rest.column(0), "in the value of '" + option
                    + "': %(name)s references nested deeper than " + MAX_INTERPOLATION_DEPTH + " (a loop?)");
        }
        String text = rest.text();
        int at = 0;
        while (at < text.length()) {
            int percent = text.indexOf('%', at);
            if (percent < 0) {
                out.append(rest, at, text.length());
                return;
            }
            out.append(rest, at, percent);
            char next = percent + 1 < text.length() ? text.charAt(percent + 1) : 0;
            if (next == '%') {
                out.append('%', rest.line(percent), rest.column(percent));
                at = percent + 2;
            } else if (next == '(') {
                Matcher reference = REFERENCE.matcher(text).region(percent, text.length());
                if (!reference.lookingAt()) {
                    throw new OdConfigException(file, rest.line(percent), rest.column(percent), "in the value of '"
                            + option + "': a bad %(name)s reference; write a literal % as %%");
                }
                LocatedText target = lookup(section, reference.group(1));
                if (target == null) {
                    throw new OdConfigException(file, rest.line(percent), rest.column(percent), "in the value of '"
                            + option + "': %(" + reference.group(1) + ")s names no key of [" + section
                            + "] or [DEFAULT]; write a literal % as %%");
                }
                if (target.text().indexOf('%') >= 0) {
                    interpolate(section, option, target, out, depth + 1);
                } else {
                    out.append(target, 0, target.length());
                }
                at = reference.end();
            } else {
                throw new OdConfigException(file, rest.line(percent), rest.column(percent), "in the value of '"
                        + option + "': a '%' must be followed by '%' or '(': write a literal % as %%");
            }
        }
    }
}

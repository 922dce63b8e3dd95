package org.rtcsound.config;

import java.util.Arrays;

/**
 * Text put together from pieces of a file (an option's lines, joined; a value with
 * {@code %(name)s} references filled in) that still knows, for every character, the line and
 * column of the file it came from, so that a refusal deep inside a value names its place.
 */
final class LocatedText {

    private final StringBuilder text = new StringBuilder();
    private int[] lines = new int[16];
    private int[] columns = new int[16];
    /** Where the text starts in the file, for places asked of it while it is empty. */
    private final int startLine;
    private final int startColumn;

    LocatedText(int startLine, int startColumn) {
        this.startLine = startLine;
        this.startColumn = startColumn;
    }

    /** Appends {@code piece}, whose first character stands at {@code line}:{@code column}. */
    LocatedText append(String piece, int line, int column) {
        for (int i = 0; i < piece.length(); i++) {
            add(piece.charAt(i), line, column + i);
        }
        return this;
    }

    /** Appends characters of another located text, keeping their places. */
    LocatedText append(LocatedText other, int from, int to) {
        for (int i = from; i < to; i++) {
            add(other.text.charAt(i), other.lines[i], other.columns[i]);
        }
        return this;
    }

    /** Appends one character that stands for a place of its own (a joining newline, a % of %%). */
    LocatedText append(char c, int line, int column) {
        add(c, line, column);
        return this;
    }

    private void add(char c, int line, int column) {
        int at = text.length();
        if (at == lines.length) {
            lines = Arrays.copyOf(lines, at * 2);
            columns = Arrays.copyOf(columns, at * 2);
        }
        text.append(c);
        lines[at] = line;
        columns[at] = column;
    }

    /** Drops trailing characters for which Python's str.isspace() is true, as str.rstrip() does. */
    void rstrip() {
        int end = text.length();
        while (end > 0 && PythonText.isSpace(text.charAt(end - 1))) {
            end--;
        }
        text.setLength(end);
    }

    int length() {
        return text.length();
    }

    char charAt(int i) {
        return text.charAt(i);
    }

    String text() {
        return text.toString();
    }

    /** Line of the character at {@code offset}; past the end, the place right after the last one. */
    int line(int offset) {
        return text.isEmpty() ? startLine : lines[Math.min(offset, text.length() - 1)];
    }

    int column(int offset) {
        if (text.isEmpty()) {
            return startColumn;
        }
        return offset < text.length() ? columns[offset] : columns[text.length() - 1] + 1;
    }
}

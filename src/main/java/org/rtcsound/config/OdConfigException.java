package org.rtcsound.config;

/** od.config was refused: the message names the file, line and column, and what was expected. */
public class OdConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    public OdConfigException(String file, int line, int column, String problem) {
        super(file + ":" + line + ":" + column + ": " + problem);
        this.line = line;
        this.column = column;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}

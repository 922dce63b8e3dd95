package org.rtcsound.config;

/** A configuration value rtcsound cannot use; the message names the key. */
public class InvalidSettingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidSettingException(String key, String problem) {
        super("setting '" + key + "' " + problem);
    }
}

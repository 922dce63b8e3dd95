package org.rtcsound.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * The od.config in force, shared by the MicroProfile ConfigSource (which MicroProfile
 * Config creates itself) and the watcher that reloads it. A new version replaces the old
 * one only if it parses; otherwise the last good one stays and the refusal is kept for
 * the admin view.
 *
 * <p>Where it comes from: the file named by {@code rtcsound.odconfig.file} (a system
 * property, or {@code RTCSOUND_ODCONFIG_FILE} in the environment; read from there since a
 * ConfigSource cannot ask MicroProfile Config), else the sample bundled in the WAR.
 */
public final class OdConfigStore {

    private static final Logger LOG = Logger.getLogger(OdConfigStore.class.getName());

    public static final String FILE_PROPERTY = "rtcsound.odconfig.file";

    /** One version: the values as MicroProfile Config sees them, and where they came from. */
    public record Version(OdConfig config, Map<String, String> properties, String source, String sha256,
            Instant loadedAt) {
    }

    /** A version that was refused, and where it came from. */
    public record Refusal(String message, String sha256, Instant at, String source) {
    }

    /**
     * Why no od.config of the configured source is in force (its every version so far was
     * refused, so rtcsound runs on nothing or on the bundled sample), or null.
     */
    public static String notInForceReason() {
        Refusal refusal = lastRefusal;
        if (refusal == null || refusal.source().equals(current.source())) {
            return null;
        }
        return "no od.config from " + refusal.source() + " is in force: " + refusal.message()
                + "; fix the file (the message says where) and rtcsound takes it at once";
    }

    private static volatile Version current = new Version(new OdConfig(Map.of()), Map.of(), "none", "", Instant.EPOCH);
    private static volatile Refusal lastRefusal;

    static {
        reload();
    }

    private OdConfigStore() {
    }

    public static Version current() {
        return current;
    }

    public static Refusal lastRefusal() {
        return lastRefusal;
    }

    /** The configured file, or null for the bundled sample. */
    public static Path file() {
        String path = System.getProperty(FILE_PROPERTY);
        if (path == null || path.isBlank()) {
            path = System.getenv("RTCSOUND_ODCONFIG_FILE");
        }
        return path == null || path.isBlank() ? null : Path.of(path);
    }

    /** Reads the source again; a no-op when nothing changed. Returns true when a new version took force. */
    public static synchronized boolean reload() {
        Path file = file();
        String source = file == null ? "classpath:od.config (bundled sample)" : file.toString();
        byte[] content;
        try {
            content = file == null ? bundled() : Files.readAllBytes(file);
        } catch (IOException e) {
            refuse(new Refusal(source + ": cannot be read (" + e.getMessage() + ")", "", Instant.now(), source));
            return false;
        }
        return offer(source, content);
    }

    /** Takes a new version of od.config, from a file or a ConfigMap. */
    public static synchronized boolean offer(String source, byte[] content) {
        String sha256 = sha256(content);
        if (sha256.equals(current.sha256()) && source.equals(current.source())) {
            return false;
        }
        Refusal last = lastRefusal;
        if (last != null && sha256.equals(last.sha256())) {
            return false; // the same broken version again: already refused and logged
        }
        try {
            OdConfig config = OdConfigReader.read(source, content);
            current = new Version(config, properties(config), source, sha256, Instant.now());
            lastRefusal = null;
            LOG.info(() -> "od.config in force: " + source + " (sha256 " + sha256.substring(0, 12) + ")");
            return true;
        } catch (OdConfigException e) {
            refuse(new Refusal(e.getMessage(), sha256, Instant.now(), source));
            return false;
        }
    }

    private static void refuse(Refusal refusal) {
        lastRefusal = refusal;
        LOG.severe("od.config refused, the last good version stays in force: " + refusal.message());
    }

    /**
     * Each [global] key as MicroProfile Config shows it: strings as they are, other values
     * as JSON (True -> true); and each key of a dict again under {@code key.subkey}, so
     * that {@code desktop.envlocal.STUN_SERVER} is a property of its own.
     */
    public static Map<String, String> properties(OdConfig config) {
        Map<String, String> properties = new LinkedHashMap<>();
        config.global().forEach((key, value) -> flatten(key, value, properties, 0));
        return Map.copyOf(properties);
    }

    private static void flatten(String key, JsonValue value, Map<String, String> out, int depth) {
        out.put(key, value instanceof JsonString s ? s.getString() : value.toString());
        if (value.getValueType() == JsonValue.ValueType.OBJECT && depth < 8) {
            value.asJsonObject().forEach((sub, subValue) -> flatten(key + "." + sub, subValue, out, depth + 1));
        }
    }

    private static byte[] bundled() throws IOException {
        try (InputStream in = OdConfigStore.class.getResourceAsStream("/od.config")) {
            if (in == null) {
                throw new IOException("no od.config in the application");
            }
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

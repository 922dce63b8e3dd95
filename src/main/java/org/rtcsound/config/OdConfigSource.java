package org.rtcsound.config;

import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * od.config as a MicroProfile ConfigSource. Its ordinal (200) puts it above the WAR's
 * built-in defaults (100) and below environment variables (300) and system properties
 * (400), so ordinary overrides still win key by key. Values are read from the version in
 * force at each call: a reload needs no restart.
 */
public class OdConfigSource implements ConfigSource {

    public static final int ORDINAL = 200;

    @Override
    public Map<String, String> getProperties() {
        return OdConfigStore.current().properties();
    }

    @Override
    public Set<String> getPropertyNames() {
        return OdConfigStore.current().properties().keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return OdConfigStore.current().properties().get(propertyName);
    }

    @Override
    public String getName() {
        return "od.config";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}

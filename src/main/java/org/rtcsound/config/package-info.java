/**
 * od.config and the settings: the reader, the version in force, the MicroProfile ConfigSource and
 * its watchers, and the typed view of the settings ({@link org.rtcsound.config.SoundSettings}) over
 * one table of keys, defaults and parsers ({@link org.rtcsound.config.Setting}).
 */
package org.rtcsound.config;

package org.rtcsound.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * docs/benchmarks.md holds one section per benchmark, each between its own markers
 * ({@code <!-- name:begin -->} ... {@code <!-- name:end -->}); a benchmark replaces only its
 * section, so benchmarks run apart never overwrite each other's figures.
 */
public final class BenchmarkDocs {

    private static final String TITLE = "# rtcsound benchmarks\n";

    private BenchmarkDocs() {
    }

    /** The docs directory the benchmarks write to (failsafe sets rtcsound.it.docs). */
    public static Path directory() {
        return Path.of(System.getProperty("rtcsound.it.docs", "docs"));
    }

    public static Path file() {
        return directory().resolve("benchmarks.md");
    }

    /** Replaces section {@code name} of docs/benchmarks.md with {@code body}, or adds it at the end. */
    public static void replaceSection(String name, String body) {
        try {
            Files.createDirectories(directory());
            String text = Files.exists(file()) ? Files.readString(file()) : TITLE;
            Files.writeString(next(), replaceSection(text, name, body));
            Files.move(next(), file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path next() {
        return directory().resolve("benchmarks.md.next");
    }

    /** The text with section {@code name} replaced (or appended): what {@link #replaceSection(String, String)} writes. */
    public static String replaceSection(String text, String name, String body) {
        String begin = "<!-- " + name + ":begin -->";
        String end = "<!-- " + name + ":end -->";
        String section = begin + "\n" + body.strip() + "\n" + end;
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from >= 0 && to > from) {
            return text.substring(0, from) + section + text.substring(to + end.length());
        }
        return text.stripTrailing() + "\n\n" + section + "\n";
    }
}

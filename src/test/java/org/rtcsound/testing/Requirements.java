package org.rtcsound.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The suite needs real programs; when one is missing it fails and says what to install. */
public final class Requirements {

    private Requirements() {
    }

    /** Each entry: a program, then the Debian package that has it. */
    public static void require(String... programsAndPackages) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < programsAndPackages.length; i += 2) {
            if (which(programsAndPackages[i]) == null) {
                missing.add(programsAndPackages[i] + " (apt-get install " + programsAndPackages[i + 1] + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("missing programs the tests need: " + String.join(", ", missing)
                    + "; `./rtcsound test` installs them");
        }
    }

    public static Path which(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}

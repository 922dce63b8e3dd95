package org.rtcsound.config;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

/**
 * CherryPy itself, as abcdesktop's pyos reads od.config ({@code cherrypy.lib.reprconf.Config}),
 * run by {@code src/test/python/cherrypy_oracle.py} on Debian's Python: one process for all
 * the files, each written to a temporary directory.
 */
final class CherryPyOracle {

    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path SCRIPT = Path.of("src/test/python/cherrypy_oracle.py");
    static final Duration TIME_LIMIT = Duration.ofSeconds(120);
    private static final String INSTALL = "install the Debian package python3-cherrypy3 (./rtcsound test installs it)";

    /**
     * What CherryPy did with one file. ok: it read the file; then config is the canonical
     * form of what it read (as {@code OdConfigReader.canonical} writes it), and pure says that
     * every value was built only from literals, containers, unary -, + and *, and subscripts.
     * Otherwise error is CherryPy's exception, as {@code Class: message}.
     */
    record Result(boolean ok, boolean pure, String config, String error) {
    }

    private CherryPyOracle() {
    }

    /** CherryPy's result for every file, by name, in the order given. */
    static Map<String, Result> read(Map<String, byte[]> files) throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            fail(PYTHON + " is missing: the od.config differential test runs CherryPy on Debian's Python; " + INSTALL);
        }
        if (!Files.isRegularFile(SCRIPT)) {
            fail(SCRIPT.toAbsolutePath() + " is missing (run the test from the project's directory)");
        }
        Path dir = Files.createTempDirectory("rtcsound-odconfig-");
        try {
            Map<String, String> nameByPath = new HashMap<>();
            List<String> paths = new ArrayList<>();
            int n = 0;
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path path = dir.resolve(String.format("%05d.config", n++));
                Files.write(path, file.getValue());
                nameByPath.put(path.toString(), file.getKey());
                paths.add(path.toString());
            }
            Path stderr = dir.resolve("oracle.stderr");
            ProcessBuilder builder = new ProcessBuilder(PYTHON.toString(), "-s", "-X", "utf8", SCRIPT.toString())
                    .redirectError(stderr.toFile());
            Map<String, String> env = builder.environment();
            for (String variable : List.of("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE",
                    "PYTHONWARNINGS", "PYTHONSAFEPATH", "PYTHONINSPECT")) {
                env.remove(variable);
            }
            env.put("PYTHONUTF8", "1");
            env.put("LC_ALL", "C.UTF-8");
            env.put("PYTHONDONTWRITEBYTECODE", "1");
            Process process = builder.start();
            try {
                return collect(process, paths, nameByPath, stderr);
            } finally {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static Map<String, Result> collect(Process process, List<String> paths, Map<String, String> nameByPath,
            Path stderr) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
        // The paths go in on a thread of their own, so that neither side waits on a full pipe.
        Thread feeder = new Thread(() -> {
            try (OutputStream raw = process.getOutputStream();
                    Writer in = new OutputStreamWriter(raw, StandardCharsets.UTF_8)) {
                for (String path : paths) {
                    in.write(path);
                    in.write('\n');
                }
            } catch (IOException e) {
                // The process ended early: what it wrote on stderr says why.
            }
        }, "cherrypy-oracle-feeder");
        feeder.setDaemon(true);
        feeder.start();
        // A watchdog ends the process when it takes too long; reading then sees the end of the stream.
        Thread watchdog = new Thread(() -> {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0 && !process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cherrypy-oracle-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        Map<String, Result> byName = new HashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject o;
                try (JsonReader reader = Json.createReader(new StringReader(line))) {
                    o = reader.readObject();
                } catch (RuntimeException e) {
                    fail("cherrypy_oracle.py wrote a line that is not JSON (" + e + "): "
                            + line.substring(0, Math.min(line.length(), 300)) + tail(stderr));
                    return null;
                }
                String name = nameByPath.get(o.getString("name", ""));
                if (name == null) {
                    fail("cherrypy_oracle.py answered for a file it was not given: " + line);
                }
                boolean ok = o.getBoolean("ok", false);
                byName.put(name, ok
                        ? new Result(true, o.getBoolean("pure", false), o.getString("config"), null)
                        : new Result(false, false, null, o.getString("error", "?")));
            }
        }
        boolean ended = process.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (!ended || System.nanoTime() - deadline > 0) {
            fail("CherryPy (cherrypy_oracle.py) took more than " + TIME_LIMIT.toSeconds() + " s for " + paths.size()
                    + " files; it answered for " + byName.size() + tail(stderr));
        }
        int exit = process.exitValue();
        if (exit == 3) {
            fail("CherryPy is missing: " + PYTHON + " cannot import cherrypy.lib.reprconf; " + INSTALL + tail(stderr));
        }
        if (exit != 0 || byName.size() != paths.size()) {
            fail("cherrypy_oracle.py ended with exit code " + exit + " after answering for " + byName.size() + " of "
                    + paths.size() + " files" + tail(stderr));
        }
        Map<String, Result> ordered = new LinkedHashMap<>();
        for (String path : paths) {
            String name = nameByPath.get(path);
            ordered.put(name, byName.get(name));
        }
        return ordered;
    }

    private static String tail(Path stderr) {
        try {
            String text = Files.readString(stderr, StandardCharsets.UTF_8);
            if (text.isBlank()) {
                return "";
            }
            return "\nits stderr ends with:\n" + text.substring(Math.max(0, text.length() - 2000));
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is no reason to fail the test.
        }
    }
}

package org.rtcsound.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * Debian's real headless firefox-esr, driven over WebDriver BiDi by a Node process that runs
 * {@code src/test/node/firefox-driver.js} (puppeteer-core): Debian 12 has no geckodriver, and
 * Playwright's Firefox is a patched build that cannot drive firefox-esr. The driver reads one
 * JSON request per line and answers one per line (see the script). Firefox decodes for real
 * and plays into cubeb's mock device; it gets no route to the desktop's PulseAudio either.
 */
public final class Firefox implements AutoCloseable {

    /** The driver script and its npm packages (installed by src/test/node/install.sh). */
    public static final Path DRIVER = Path.of("src/test/node");

    private static final long REPLY_TIMEOUT_SECONDS = 60;
    private static final Pattern SOCKET_OWNER = Pattern.compile("pid=(\\d+)");

    /**
     * Preferences that let WebRTC work headless on one machine, with no prompt: autoplay
     * allowed, the fake capture device (a tone) given without asking, loopback ICE and
     * plain host addresses (no mDNS names), and cubeb's mock backend as the audio device.
     * Without a device Firefox's audio graph never runs (an AudioContext stays suspended,
     * nothing decodes); the mock backend consumes audio in real time and plays nothing,
     * as Chromium's --disable-audio-output does.
     */
    public static Map<String, Object> prefs() {
        Map<String, Object> prefs = new LinkedHashMap<>();
        prefs.put("media.autoplay.default", 0); // 0 allow, 1 block audible, 5 block all
        prefs.put("media.navigator.streams.fake", true);
        prefs.put("media.navigator.permission.disabled", true);
        prefs.put("media.peerconnection.ice.loopback", true);
        prefs.put("media.peerconnection.ice.obfuscate_host_addresses", false);
        prefs.put("media.cubeb.force_mock_context", true);
        return prefs;
    }

    private final Process node;
    private final Writer requests;
    private final Map<Long, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final AtomicLong lastId = new AtomicLong();
    private final CompletableFuture<JsonObject> ready = new CompletableFuture<>();
    private final Path log;
    private final String version;

    private Firefox(Process node, Path log) {
        this.node = node;
        this.log = log;
        this.requests = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readReplies, "firefox-driver-replies");
        reader.setDaemon(true);
        reader.start();
        JsonObject hello = await(ready, "the browser to start");
        this.version = hello.getString("version", "?");
    }

    public static Firefox launch() {
        return launch(prefs());
    }

    public static Firefox launch(Map<String, Object> prefs) {
        return launch(prefs, List.of());
    }

    /**
     * Firefox and its driver run behind {@code prefix} (such as {@link NetworkNamespace#prefix()}:
     * both inside a network namespace, since the driver reaches Firefox over loopback TCP).
     */
    public static Firefox launch(Map<String, Object> prefs, List<String> prefix) {
        Requirements.require("firefox-esr", "firefox-esr", "node", "nodejs");
        if (!Files.isDirectory(DRIVER.resolve("node_modules/puppeteer-core"))) {
            throw new IllegalStateException("the Firefox driver's npm packages are missing in " + DRIVER.toAbsolutePath()
                    + ": `mvn verify` installs them with npm (apt-get install nodejs npm), or run"
                    + " `sh src/test/node/install.sh`");
        }
        JsonObjectBuilder options = Json.createObjectBuilder()
                .add("executablePath", Requirements.which("firefox-esr").toString())
                .add("prefs", json(prefs));
        Path log = Suite.work().resolve("firefox-driver.log");
        try {
            Files.createDirectories(log.getParent());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> command = new java.util.ArrayList<>(prefix);
        command.addAll(List.of(Requirements.which("node").toString(), "firefox-driver.js", options.build().toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(DRIVER.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // No route to the desktop's PulseAudio: Firefox must not play back into what rtcsound streams.
        builder.environment().put("PULSE_SERVER", "unix:/nonexistent/rtcsound-test");
        try {
            return new Firefox(builder.start(), log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the Firefox driver", e);
        }
    }

    /** "firefox/153.8.0", as the browser says. */
    public String version() {
        return version;
    }

    /**
     * The network fails under the browser: every TCP connection its processes hold to
     * {@code port} is destroyed (ss -K, as root), so the page sees its sockets drop
     * (WebSocket close 1006) and the server sees them reset. Returns how many were.
     */
    public int dropConnectionsTo(int port) {
        Requirements.require("ss", "iproute2");
        Set<String> browserPids = new HashSet<>();
        node.descendants().forEach(process -> browserPids.add(Long.toString(process.pid())));
        // Without a state column (one state asked for): Recv-Q Send-Q Local Peer Process
        String sockets = Processes.run(List.of("ss", "-tnpH", "state", "established", "dport", "=", ":" + port),
                Map.of(), 10);
        int dropped = 0;
        for (String line : sockets.lines().toList()) {
            Matcher owner = SOCKET_OWNER.matcher(line);
            boolean browsers = false;
            while (owner.find()) {
                browsers |= browserPids.contains(owner.group(1));
            }
            String[] columns = line.trim().split("\\s+");
            if (browsers && columns.length >= 4) {
                String localPort = columns[2].substring(columns[2].lastIndexOf(':') + 1);
                String killed = Processes.run(List.of("ss", "-K", "-tnH", "dport", "=", ":" + port,
                        "sport", "=", ":" + localPort), Map.of(), 10);
                dropped += (int) killed.lines().filter(killedLine -> !killedLine.isBlank()).count();
            }
        }
        return dropped;
    }

    public Tab open(URI uri) {
        return new Tab(call(Json.createObjectBuilder().add("op", "open").add("url", uri.toString())).toString());
    }

    /** One page in a browser context of its own, as {@link Chromium.Tab} is. */
    public final class Tab implements BrowserTab, AutoCloseable {
        private final String id;

        private Tab(String id) {
            this.id = id;
        }

        @Override
        public Object evaluate(String function, Object argument) {
            return call(request("evaluate").add("function", function).add("arg", json(argument)));
        }

        @Override
        public void click(String selector) {
            call(request("click").add("selector", selector));
        }

        @Override
        public List<String> console() {
            List<String> lines = new ArrayList<>();
            for (Object line : (List<?>) call(request("console"))) {
                lines.add((String) line);
            }
            return lines;
        }

        public void screenshot(Path file) {
            call(request("screenshot").add("path", file.toAbsolutePath().toString()));
        }

        private JsonObjectBuilder request(String op) {
            return Json.createObjectBuilder().add("op", op).add("tab", id);
        }

        @Override
        public void close() {
            call(request("close"));
        }
    }

    /** Sends one request and waits for its reply: the value, as Java values. */
    private Object call(JsonObjectBuilder request) {
        long id = lastId.incrementAndGet();
        JsonObject message = request.add("id", id).build();
        CompletableFuture<JsonObject> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            synchronized (requests) {
                requests.write(message.toString());
                requests.write('\n');
                requests.flush();
            }
        } catch (IOException e) {
            pending.remove(id);
            throw new IllegalStateException("the Firefox driver is gone (see " + log + ")", e);
        }
        JsonObject answer = await(reply, message.getString("op"));
        if (answer.containsKey("error")) {
            throw new IllegalStateException("Firefox: " + message.getString("op") + " failed: "
                    + answer.getString("error"));
        }
        return java(answer.get("value"));
    }

    private JsonObject await(CompletableFuture<JsonObject> reply, String what) {
        try {
            return reply.get(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the Firefox driver did not answer " + what + " in "
                    + REPLY_TIMEOUT_SECONDS + " s (see " + log + ")");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the Firefox driver failed (see " + log + ")", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void readReplies() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(node.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                JsonObject reply;
                try (JsonReader reader = Json.createReader(new StringReader(line))) {
                    reply = reader.readObject();
                } catch (RuntimeException notJson) {
                    continue; // a stray line on stdout
                }
                if (reply.containsKey("ready")) {
                    ready.complete(reply);
                } else if (reply.get("id") instanceof JsonNumber id) {
                    CompletableFuture<JsonObject> waiting = pending.remove(id.longValue());
                    if (waiting != null) {
                        waiting.complete(reply);
                    }
                }
            }
        } catch (IOException ended) {
            // the driver's output closed
        }
        IllegalStateException gone = new IllegalStateException("the Firefox driver exited (see " + log + ")");
        ready.completeExceptionally(gone);
        pending.values().forEach(waiting -> waiting.completeExceptionally(gone));
    }

    private static JsonValue json(Object value) {
        if (value == null) {
            return JsonValue.NULL;
        } else if (value instanceof String s) {
            return Json.createValue(s);
        } else if (value instanceof Boolean b) {
            return b ? JsonValue.TRUE : JsonValue.FALSE;
        } else if (value instanceof Integer || value instanceof Long) {
            return Json.createValue(((Number) value).longValue());
        } else if (value instanceof Number n) {
            return Json.createValue(n.doubleValue());
        } else if (value instanceof Map<?, ?> map) {
            JsonObjectBuilder object = Json.createObjectBuilder();
            map.forEach((key, v) -> object.add(String.valueOf(key), json(v)));
            return object.build();
        }
        throw new IllegalArgumentException("cannot send " + value.getClass() + " to the page");
    }

    private static Object java(JsonValue value) {
        return switch (value.getValueType()) {
            case NULL -> null;
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case STRING -> ((JsonString) value).getString();
            case NUMBER -> ((JsonNumber) value).isIntegral() ? (Object) ((JsonNumber) value).longValue()
                    : (Object) ((JsonNumber) value).doubleValue();
            case ARRAY -> ((JsonArray) value).stream().map(Firefox::java).toList();
            case OBJECT -> {
                JsonObject object = (JsonObject) value;
                if (object.size() == 1 && object.get("nonFinite") instanceof JsonString number) {
                    yield Double.parseDouble(number.getString()); // how the driver sends -Infinity and NaN
                }
                Map<String, Object> map = new LinkedHashMap<>();
                object.forEach((key, v) -> map.put(key, java(v)));
                yield map;
            }
        };
    }

    /** Closes the browser: the driver closes it when its input ends (else both are killed). */
    @Override
    public void close() {
        List<ProcessHandle> browser = node.descendants().toList();
        try {
            requests.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (node.waitFor(10, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        browser.forEach(ProcessHandle::destroyForcibly);
        Processes.stop(node);
    }
}

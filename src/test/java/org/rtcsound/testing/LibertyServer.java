package org.rtcsound.testing;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * The real Open Liberty server with the built WAR, as liberty-maven-plugin created it in
 * pre-integration-test. The tests start it themselves so that they choose its
 * environment (which PulseAudio, which ports).
 *
 * <p>Ports in use (http/https), apart from `./rtcsound run`'s 9080/9443: the suite's server
 * 19080/19443 (localhost); the relay's 19280/19643 (in RelayRig's namespace); the fault
 * tests' 19380/19743 (FaultRig, on its veth's host address only); Arquillian's 29080.
 */
public final class LibertyServer implements AutoCloseable {

    private Map<String, String> environment = Map.of();

    private final Path wlp;
    private final String name;
    private final String host;
    private final int httpPort;
    private final int httpsPort;
    /** Put before every `server` command: `ip netns exec NS` runs the server in a namespace. */
    private final List<String> prefix;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private HttpClient https;

    private LibertyServer(Path wlp, String name, String host, int httpPort, int httpsPort, List<String> prefix) {
        this.wlp = wlp;
        this.name = name;
        this.host = host;
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
        this.prefix = prefix;
    }

    public static LibertyServer start(Path wlp, String name, int httpPort, int httpsPort, Map<String, String> env) {
        return start(wlp, name, "localhost", httpPort, httpsPort, env, List.of());
    }

    /** A server reached at {@code host}, its commands run after {@code prefix} (e.g. in a network namespace). */
    public static LibertyServer start(Path wlp, String name, String host, int httpPort, int httpsPort,
            Map<String, String> env, List<String> prefix) {
        if (!Files.isDirectory(wlp.resolve("usr/servers").resolve(name))) {
            throw new IllegalStateException("no Liberty server " + name + " under " + wlp
                    + ": run the suite with `./rtcsound test` (mvn verify creates it)");
        }
        LibertyServer server = new LibertyServer(wlp, name, host, httpPort, httpsPort, prefix);
        server.command("stop"); // a server left over from an interrupted run
        Map<String, String> environment = new HashMap<>(TestTokens.serverEnvironment());
        environment.putAll(env);
        environment.put("HTTP_PORT", Integer.toString(httpPort));
        environment.put("HTTPS_PORT", Integer.toString(httpsPort));
        if (!host.equals("localhost")) {
            environment.putIfAbsent("RTCSOUND_HOST", "*"); // or the one address env names
        }
        server.environment = environment;
        Processes.run(server.serverCommand("start"), environment, 120);
        server.awaitReady(Duration.ofSeconds(90));
        return server;
    }

    /**
     * Stops the server as Kubernetes and {@code docker stop} do (SIGTERM to its JVM, then
     * waiting for it to exit) and starts it again with the same settings; returns once ready.
     */
    public void restart() {
        terminate(Duration.ofSeconds(90));
        synchronized (this) {
            https = null; // its pooled connection went with the server
        }
        Processes.run(serverCommand("start"), environment, 120);
        awaitReady(Duration.ofSeconds(90));
    }

    private void terminate(Duration timeout) {
        long pid = pid();
        java.util.Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            return;
        }
        Processes.run(List.of("kill", "-TERM", Long.toString(pid)), Map.of(), 10);
        try {
            process.get().onExit().get(timeout.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Liberty server " + name + " still runs " + timeout.toSeconds()
                    + " s after SIGTERM; see " + logDirectory().resolve("messages.log"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> serverCommand(String verb) {
        List<String> command = new java.util.ArrayList<>(prefix);
        command.addAll(List.of(wlp.resolve("bin/server").toString(), verb, name));
        return command;
    }

    private void command(String verb) {
        try {
            Processes.run(serverCommand(verb), Map.of(), 120);
        } catch (IllegalStateException e) {
            // stop answers non-zero when the server was not running
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = send(HttpRequest.newBuilder(httpUri("/health/ready")).GET().build());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IllegalStateException e) {
                last = e.getMessage();
            }
            Sleep.millis(50); // the recovery benchmark times pages from this moment
        }
        throw new IllegalStateException("Liberty server " + name + " not ready in " + timeout.toSeconds() + " s: "
                + last + "; see " + logDirectory().resolve("messages.log"));
    }

    public URI httpUri(String path) {
        return URI.create("http://" + host + ":" + httpPort + path);
    }

    public URI httpsUri(String path) {
        return URI.create("https://" + host + ":" + httpsPort + path);
    }

    public URI wsUri(String path) {
        return URI.create("ws://" + host + ":" + httpPort + path);
    }

    /**
     * Where admin requests go: plain http on localhost (allowed from this machine); https
     * for a server on another address, which refuses plain http from there.
     */
    private URI adminUri(String path) {
        return host.equals("localhost") ? httpUri(path) : httpsUri(path);
    }

    /** GET as the suite's admin (a token with the admin group). */
    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(adminUri(path)).header("Authorization", "Bearer " + TestTokens.admin())
                .GET().build());
    }

    /** POST JSON as the suite's admin. */
    public HttpResponse<String> postJson(String path, String body) {
        return send(HttpRequest.newBuilder(adminUri(path)).header("Authorization", "Bearer " + TestTokens.admin())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** A signalling connection authenticated as {@code user} (the token in the subprotocol list). */
    public SignallingClient signalling(String user) {
        return SignallingClient.connect(wsUri("/signalling"), TestTokens.user(user));
    }

    /** Sends a request; https goes through a client that trusts this server's own certificate, and only it. */
    public HttpResponse<String> send(HttpRequest request) {
        try {
            HttpClient client = "https".equals(request.uri().getScheme()) ? https() : http;
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The server's own certificate's key, as Chromium pins it: a browser that trusts it makes
     * one TLS connection where one that ignores certificate errors makes two for a WebSocket.
     */
    public String certificateSpkiSha256() {
        return TestCertificateAuthority.spkiSha256(LibertyCertificate.of(directory()));
    }

    /** usr/servers/<name>: the server's configuration, keystore and logs. */
    private Path directory() {
        return wlp.resolve("usr/servers").resolve(name);
    }

    private HttpClient https() {
        synchronized (this) {
            if (https == null) {
                https = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                        .sslContext(LibertyCertificate.trustedAlone(directory()))
                        .build();
            }
            return https;
        }
    }

    /** GET /API/admin/status: sessions, listeners, desktop streams, threads and open files of the server. */
    public JsonObject status() {
        HttpResponse<String> response = get("/API/admin/status");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("status answered " + response.statusCode() + ": " + response.body());
        }
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    /** GET /API/admin/config: the od.config in force, the last refusal, the values. */
    public JsonObject config() {
        return Json.createReader(new StringReader(get("/API/admin/config").body())).readObject();
    }

    /** Polls the admin view of the configuration until it satisfies the condition; returns how long that took (ms). */
    public long awaitConfig(java.util.function.Predicate<JsonObject> condition, Duration timeout) {
        long start = System.nanoTime();
        JsonObject config = config();
        while (!condition.test(config)) {
            if (System.nanoTime() - start > timeout.toNanos()) {
                throw new AssertionError("configuration never reached the expected state: " + config);
            }
            Sleep.millis(50);
            config = config();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Waits until no session, no listener and no desktop stream is left; returns the last status. */
    public JsonObject awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonObject status = status();
        while (System.nanoTime() < deadline) {
            status = status();
            if (status.getInt("sessions") == 0 && status.getInt("listeners") == 0
                    && status.getInt("desktopStreamsLive") == 0) {
                return status;
            }
            Sleep.millis(100);
        }
        return status;
    }

    /** Polls a status figure for up to 10 s until it reaches {@code floor}; returns the last value. */
    public long awaitStatusAtLeast(String key, long floor) {
        return awaitStatus(key, value -> value >= floor);
    }

    /** Threads and sockets wind down shortly after their sessions: polls a status figure for up to 10 s. */
    public long awaitStatusAtMost(String key, long limit) {
        return awaitStatus(key, value -> value <= limit);
    }

    private long awaitStatus(String key, java.util.function.LongPredicate reached) {
        long value = status().getInt(key);
        for (int i = 0; i < 100 && !reached.test(value); i++) {
            Sleep.millis(100);
            value = status().getInt(key);
        }
        return value;
    }

    /** The server's process id, as Liberty wrote it in usr/servers/.pid/<name>.pid. */
    public long pid() {
        try {
            return Long.parseLong(Files.readString(wlp.resolve("usr/servers/.pid").resolve(name + ".pid")).trim());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("no pid file for server " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Asks the server's JVM, from outside (the JDK's jcmd; the server needs no endpoint for
     * it), for a full garbage collection, so that gst1-java-core wrappers that were only
     * unreachable release their native objects, and then to give the free pages of its
     * native heap back to the system (glibc keeps what was freed in its arenas), so that
     * its resident memory shows what it still holds.
     */
    public void collectGarbage() {
        Requirements.require("jcmd", "openjdk-17-jdk-headless");
        String jcmd = Requirements.which("jcmd").toString();
        Processes.run(List.of(jcmd, Long.toString(pid()), "GC.run"), Map.of(), 60);
        Processes.run(List.of(jcmd, Long.toString(pid()), "System.trim_native_heap"), Map.of(), 60);
    }

    /** The server's Java threads and what each waits for (jcmd Thread.print), to say why something never finished. */
    public String threadDump() {
        Requirements.require("jcmd", "openjdk-17-jdk-headless");
        String jcmd = Requirements.which("jcmd").toString();
        return Processes.run(List.of(jcmd, Long.toString(pid()), "Thread.print"), Map.of(), 60);
    }

    /** The server process's sockets as `ss` lists them, to say what a leak is made of. */
    public String sockets() {
        try {
            long pid = pid();
            return Processes.run(List.of("sh", "-c", "ss -anp | grep 'pid=" + pid + ",'"), Map.of(), 10);
        } catch (IllegalStateException e) {
            return "(no socket list: " + e.getMessage() + ")";
        }
    }

    public Path logDirectory() {
        return directory().resolve("logs");
    }

    public String messagesLog() {
        try {
            return Files.readString(logDirectory().resolve("messages.log"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        command("stop");
    }
}

package org.rtcsound.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.json.JsonObject;

/**
 * A browser on a network that tests may break: headless Chromium inside a network
 * namespace of the test's own, talking over a veth to a Liberty of the rig's own on the
 * host side, bound to the veth's host address only (the suite's server listens on
 * localhost, which no namespace reaches). Faults are made inside the namespace, so nothing
 * of the host's own network changes: UDP dropped by iptables, TCP connections reset (ss -K)
 * from either end, the link taken down. The desktop's PulseAudio is whichever the caller
 * gives (the suite's, or one the caller may kill). Everything is undone on close.
 */
public final class FaultRig implements AutoCloseable {

    public static final String HOST_ADDRESS = "10.253.0.1";
    public static final String BROWSER_ADDRESS = "10.253.0.2";
    public static final int HTTP_PORT = 19380;
    public static final int HTTPS_PORT = 19743;
    /** Threads the server may start or keep by itself, beside any call (as VanishedBrowserIT allows). */
    private static final int THREADS_OF_NO_CALL = 2;
    private static final List<String> DROP_UDP = List.of("INPUT", "-p", "udp", "-j", "DROP");

    private final NetworkNamespace namespace;
    private LibertyServer server;
    private Chromium chromium;
    private boolean udpBlocked;
    private boolean linkDown;
    private boolean onlyHttps;

    private FaultRig(NetworkNamespace namespace) {
        this.namespace = namespace;
    }

    /** Starts the rig's Liberty (the suite's od.config settings, its own file) on {@code desktop}, and Chromium. */
    public static FaultRig start(Path work, PulseAudioDaemon desktop) {
        return start(work, desktop, List.of(), odConfig -> odConfig);
    }

    /**
     * The same, Chromium started with {@code moreFlags} beside {@link Chromium#FLAGS} (a fake
     * microphone, say), and the server's od.config edited by {@code odConfigEdit}.
     */
    public static FaultRig start(Path work, PulseAudioDaemon desktop, List<String> moreFlags,
            java.util.function.UnaryOperator<String> odConfigEdit) {
        Requirements.require("iptables", "iptables", "ss", "iproute2");
        FaultRig rig = new FaultRig(NetworkNamespace.create("rtcs-faults", HOST_ADDRESS, BROWSER_ADDRESS));
        try {
            Path odConfig = work.resolve("faults-od.config");
            Files.createDirectories(work);
            Files.writeString(odConfig, odConfigEdit.apply(
                    Files.readString(Path.of("src/main/resources/od.config")) + Suite.TEST_SETTINGS));
            rig.server = LibertyServer.start(Path.of(System.getProperty("rtcsound.it.wlp", "target/liberty/wlp")),
                    "rtcsound-faults", HOST_ADDRESS, HTTP_PORT, HTTPS_PORT,
                    Map.of("PULSE_SERVER", desktop.server(), "RTCSOUND_ODCONFIG_FILE", odConfig.toString(),
                            "RTCSOUND_HOST", HOST_ADDRESS),
                    List.of());
            List<String> flags = new java.util.ArrayList<>(Chromium.FLAGS);
            flags.addAll(moreFlags);
            rig.chromium = Chromium.launch(flags,
                    rig.namespace.wrapper(work.resolve("bin"), Requirements.which("chromium")));
            return rig;
        } catch (IOException | RuntimeException e) {
            rig.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    public LibertyServer server() {
        return server;
    }

    public Chromium chromium() {
        return chromium;
    }

    /** The browser's namespace: where another browser (Firefox, with its driver) may run too. */
    public NetworkNamespace namespace() {
        return namespace;
    }

    /** rtcsound's page for {@code user}, signed in with a token the server trusts (valid five minutes). */
    public URI page(String user) {
        return server.httpsUri("/#jwt_token=" + TestTokens.user(user));
    }

    public Chromium.Tab open(String user) {
        return chromium.open(page(user));
    }

    /**
     * The browser's network passes nothing but TCP to the server's https port: no UDP, no other
     * TCP (ICE over TCP to the server's other ports, STUN, TURN all dropped). Loopback inside
     * the namespace still passes (a browser's driver may talk to it there).
     */
    public void allowOnlyHttps() {
        namespace.exec("iptables", "-A", "INPUT", "-i", "lo", "-j", "ACCEPT");
        namespace.exec("iptables", "-A", "OUTPUT", "-o", "lo", "-j", "ACCEPT");
        namespace.allowOnlyTcpTo(List.of(new java.net.InetSocketAddress(HOST_ADDRESS, HTTPS_PORT)));
        onlyHttps = true;
    }

    /** Undoes {@link #allowOnlyHttps()}. */
    public void allowEverything() {
        if (onlyHttps) {
            namespace.allowAll();
            onlyHttps = false;
        }
    }

    /** Every UDP packet reaching the browser's namespace is dropped (host, STUN and TURN/UDP paths alike). */
    public void blockUdp() {
        iptables("-I", DROP_UDP);
        udpBlocked = true;
    }

    public void restoreUdp() {
        if (udpBlocked) {
            iptables("-D", DROP_UDP);
            udpBlocked = false;
        }
    }

    /**
     * The network drops the browser's connections to the server: the browser's end of each
     * (the signalling WebSocket among them) is destroyed by its own kernel, which sends the
     * server a reset, as a middlebox that resets a flow does. Returns how many there were.
     */
    public int resetConnectionsAtBrowser() {
        return count(namespace.exec("ss", "-K", "-tnH", "state", "established", "dport", "=", ":" + HTTPS_PORT));
    }

    /**
     * The server's end of each connection from the browser (the signalling WebSocket among
     * them) is destroyed in the host's kernel, which sends the browser a reset: the server
     * side drops them. Returns how many there were.
     */
    public int resetConnectionsAtServer() {
        return count(Processes.run(List.of("ss", "-K", "-tnH", "state", "established", "sport", "=", ":" + HTTPS_PORT,
                "dst", BROWSER_ADDRESS), Map.of(), 10));
    }

    /** The browser's link goes down (or up again); the browser itself keeps running. */
    public void setLinkUp(boolean up) {
        namespace.setLinkUp(up);
        linkDown = !up;
    }

    /** UDP dropped for {@code millis}, then let through again: the fault ends as the rule goes. */
    public ToneWatch.Fault udpOutage(long millis) {
        return () -> {
            long ended;
            blockUdp();
            try {
                Sleep.millis(millis);
            } finally {
                ended = System.currentTimeMillis();
                restoreUdp();
            }
            return ended;
        };
    }

    /** The browser's connections reset, at its end ({@code atServer} false) or at the server's. */
    public ToneWatch.Fault connectionsReset(boolean atServer) {
        return () -> {
            long at = System.currentTimeMillis();
            int reset = atServer ? resetConnectionsAtServer() : resetConnectionsAtBrowser();
            if (reset == 0) {
                throw new AssertionError("no connection between the browser and the server to reset");
            }
            return at;
        };
    }

    /** The page hears the tone (its frequency), is marked as this very page, and is watched from now on. */
    public static ToneWatch hearing(BrowserTab tab, int frequency) {
        PageAudio.assertHears(tab, frequency);
        tab.evaluate("() => { window.faultRigPage = true; }");
        ToneWatch watch = ToneWatch.start(tab);
        watch.awaitHearing(5000);
        return watch;
    }

    /** After a fault: the tone's own frequency, in the page marked before (a reload would have lost the mark). */
    public static void assertHearsTheSamePage(BrowserTab tab, int frequency) {
        PageAudio.assertHears(tab, frequency);
        if (!Boolean.TRUE.equals(tab.evaluate("() => window.faultRigPage === true"))) {
            throw new AssertionError("the page was reloaded");
        }
    }

    /**
     * What the server holds while no call of the browser's is open: its status, and its TCP
     * connections with the browser (the browser's idle HTTP connection, which Liberty keeps
     * 30 s, is one of them once it has loaded a page of the server's).
     */
    public record Baseline(JsonObject status, Set<String> browserConnections) {
    }

    public Baseline baseline() {
        return new Baseline(server.status(), browserConnections());
    }

    /**
     * How the server let a vanished browser go: {@code endedMillis} after the link went down
     * its call was ended (sessions, listeners and desktop streams back to the baseline; -1:
     * not yet), {@code callFreedMillis} after, everything the call itself held was freed (also
     * its sockets and threads, but for its WebSocket's TCP connection, which is Liberty's to
     * close; -1: not yet), {@code millis} after, what it still held ({@code held}, empty once
     * everything, that connection included, is gone).
     */
    public record Freed(long endedMillis, long callFreedMillis, long millis, List<String> held, Baseline before,
            JsonObject during, JsonObject after, String sockets) {
        public boolean freed() {
            return held.isEmpty();
        }

        @Override
        public String toString() {
            return (endedMillis < 0 ? "call not ended" : "call ended " + endedMillis + " ms")
                    + (callFreedMillis < 0 ? ", its resources not freed" : ", its resources freed " + callFreedMillis + " ms")
                    + (freed() ? ", all freed " : ", still holding " + held + " ") + millis
                    + " ms after the link went down; before the call " + figures(before.status()) + ", during "
                    + figures(during) + ", after " + figures(after);
        }
    }

    /**
     * The browser, hearing a call, vanishes (its link goes down, the browser keeps running):
     * waits up to {@code timeoutMillis} until the server holds no more sessions, listeners,
     * desktop streams, sockets and native threads than {@code before}, and no connection with
     * the browser that the call opened (its signalling WebSocket, ICE over TCP); then brings
     * the link back. What it still holds comes with its socket list.
     */
    public Freed vanish(Baseline before, long timeoutMillis) {
        JsonObject during = server.status();
        long gone = System.currentTimeMillis();
        setLinkUp(false);
        try {
            long ended = -1;
            long callFreed = -1;
            JsonObject now = during;
            List<String> held = held(before, now);
            while (!held.isEmpty() && System.currentTimeMillis() - gone < timeoutMillis) {
                Sleep.millis(100);
                now = server.status();
                held = held(before, now);
                long at = System.currentTimeMillis() - gone;
                if (ended < 0 && ended(before.status(), now)) {
                    ended = at;
                }
                if (callFreed < 0 && held.stream().allMatch(h -> h.startsWith("connections with the browser"))) {
                    callFreed = at;
                }
            }
            long millis = System.currentTimeMillis() - gone;
            return new Freed(ended < 0 && held.isEmpty() ? millis : ended, callFreed < 0 && held.isEmpty() ? millis
                    : callFreed, millis, held, before, during, now, held.isEmpty() ? "" : server.sockets());
        } finally {
            setLinkUp(true);
        }
    }

    private static boolean ended(JsonObject before, JsonObject now) {
        return Stream.of("sessions", "listeners", "desktopStreamsLive").allMatch(key -> now.getInt(key) <= before.getInt(key));
    }

    /**
     * What the server holds beyond {@code before}. The browser's TCP connections the call
     * opened are listed as such, and not counted again among the open sockets.
     */
    private List<String> held(Baseline before, JsonObject now) {
        List<String> held = new java.util.ArrayList<>();
        Set<String> opened = new TreeSet<>(browserConnections());
        opened.removeAll(before.browserConnections());
        for (String key : List.of("sessions", "listeners", "desktopStreamsLive", "openSockets", "nativeThreads")) {
            // Liberty's own executor grows and shrinks by itself, a thread or two either way;
            // a call holds far more (10 to 13 here), so 2 more than before is not the call's.
            int allowed = before.status().getInt(key) + (key.equals("nativeThreads") ? THREADS_OF_NO_CALL : 0)
                    + (key.equals("openSockets") ? opened.size() : 0);
            if (now.getInt(key) > allowed) {
                held.add(key + " " + now.getInt(key) + " > " + allowed);
            }
        }
        if (!opened.isEmpty()) {
            held.add("connections with the browser " + opened);
        }
        return held;
    }

    /** The server's TCP connections with the browser (held by its process), as "local port -> browser port". */
    private Set<String> browserConnections() {
        Set<String> connections = new TreeSet<>();
        Matcher tcp = Pattern.compile("(?m)^tcp\\s+\\S+\\s+\\d+\\s+\\d+\\s+\\S*:(\\d+)\\s+\\S*"
                + Pattern.quote(BROWSER_ADDRESS) + "\\]?:(\\d+)\\s").matcher(server.sockets());
        while (tcp.find()) {
            connections.add(tcp.group(1) + " -> " + tcp.group(2));
        }
        return connections;
    }

    private static String figures(JsonObject status) {
        return "sessions " + status.getInt("sessions") + ", listeners " + status.getInt("listeners") + ", streams "
                + status.getInt("desktopStreamsLive") + ", sockets " + status.getInt("openSockets") + ", threads "
                + status.getInt("nativeThreads");
    }

    private void iptables(String verb, List<String> rule) {
        String[] command = new String[rule.size() + 2];
        command[0] = "iptables";
        command[1] = verb;
        for (int i = 0; i < rule.size(); i++) {
            command[i + 2] = rule.get(i);
        }
        namespace.exec(command);
    }

    private static int count(String ssOutput) {
        return (int) ssOutput.lines().filter(line -> !line.isBlank()).count();
    }

    @Override
    public void close() {
        try {
            if (linkDown) {
                setLinkUp(true);
            }
            restoreUdp();
            allowEverything();
        } catch (RuntimeException e) {
            // the namespace goes below, its rules with it
        }
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
        namespace.close();
    }
}

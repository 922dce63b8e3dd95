package org.rtcsound.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * A private network namespace of the test's own (`ip netns`), joined to this host by a veth
 * pair: a second "host" on a /24 of its own, so that a TURN relay has an address that is
 * neither loopback nor any real network's, and a browser has a network that a test may break
 * (firewall rules and a link of its own, none of which touch the host's).
 */
public final class NetworkNamespace implements AutoCloseable {

    private final String name;
    private final String hostLink;
    private final String innerLink;
    private final String hostAddress;
    private final String address;

    private NetworkNamespace(String name, String hostLink, String innerLink, String hostAddress, String address) {
        this.name = name;
        this.hostLink = hostLink;
        this.innerLink = innerLink;
        this.hostAddress = hostAddress;
        this.address = address;
    }

    /** {@code hostAddress} and {@code address} are /24 addresses of one subnet, e.g. 10.254.0.1 and 10.254.0.2. */
    public static NetworkNamespace create(String name, String hostAddress, String address) {
        Requirements.require("ip", "iproute2");
        String hostLink = name + "-h";
        String innerLink = name + "-n";
        quietly("ip", "netns", "del", name);
        quietly("ip", "link", "del", hostLink);
        run("ip", "netns", "add", name);
        // IPv4 only: with IPv6 on, a link brought up gets its link-local address about 1.2 s
        // later (duplicate address detection), and Chromium, seeing an address change, fails
        // whatever it is loading then with ERR_NETWORK_CHANGED (seen in CI: the page loaded
        // just after a link came back never ran).
        run("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1");
        run("ip", "link", "add", hostLink, "type", "veth", "peer", "name", innerLink);
        run("ip", "link", "set", innerLink, "netns", name);
        run("ip", "addr", "add", hostAddress + "/24", "dev", hostLink);
        run("ip", "link", "set", hostLink, "up");
        run("ip", "netns", "exec", name, "ip", "addr", "add", address + "/24", "dev", innerLink);
        run("ip", "netns", "exec", name, "ip", "link", "set", innerLink, "up");
        run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
        return new NetworkNamespace(name, hostLink, innerLink, hostAddress, address);
    }

    public String address() {
        return address;
    }

    /** Runs a command inside (such as {@code iptables ...}) and returns its output; fails on a non-zero exit. */
    public String exec(String... command) {
        List<String> inside = new java.util.ArrayList<>(prefix());
        inside.addAll(List.of(command));
        return Processes.run(inside, Map.of(), 10);
    }

    /**
     * Takes the namespace's end of the veth down (or up again): to the host, everything
     * inside vanishes at once, with no packet to say so; the processes inside keep running.
     */
    public void setLinkUp(boolean up) {
        exec("ip", "link", "set", innerLink, up ? "up" : "down");
        String wanted = up ? "up" : "down";
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!exec("cat", "/sys/class/net/" + innerLink + "/operstate").strip().equals(wanted)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(innerLink + " did not go " + wanted);
            }
            Sleep.millis(20);
        }
    }

    /** This host's end of the link. */
    public String hostAddress() {
        return hostAddress;
    }

    /**
     * A network that lets nothing through but TCP connections to {@code destinations}
     * (iptables inside, shared/notes/platform.md "Dropping UDP"): every UDP packet and every
     * other TCP connection is dropped, in and out, loopback included, the test's own included.
     */
    public void allowOnlyTcpTo(List<java.net.InetSocketAddress> destinations) {
        Requirements.require("iptables", "iptables");
        iptables("-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT");
        iptables("-A", "OUTPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT");
        for (java.net.InetSocketAddress destination : destinations) {
            String ip = destination.getAddress().getHostAddress();
            String port = Integer.toString(destination.getPort());
            iptables("-A", "OUTPUT", "-p", "tcp", "-d", ip, "--dport", port, "-j", "ACCEPT");
            iptables("-A", "INPUT", "-p", "tcp", "-d", ip, "--dport", port, "-j", "ACCEPT");
        }
        for (String chain : List.of("INPUT", "OUTPUT")) {
            iptables("-A", chain, "-p", "udp", "-j", "DROP");
            iptables("-A", chain, "-p", "tcp", "-j", "DROP");
        }
    }

    /** Lets everything through again, e.g. before stopping Liberty (its stop command talks to it over loopback TCP). */
    public void allowAll() {
        iptables("-F");
    }

    /** The namespace's iptables rules with their packet counts. */
    public String firewall() {
        return Processes.run(List.of("ip", "netns", "exec", name, "iptables", "-L", "-n", "-v"), Map.of(), 10);
    }

    private void iptables(String... arguments) {
        List<String> command = new java.util.ArrayList<>(prefix());
        command.add("iptables");
        command.addAll(List.of(arguments));
        Processes.run(command, Map.of(), 10);
    }

    /** What to put before a command to run it inside. */
    public List<String> prefix() {
        return List.of("ip", "netns", "exec", name);
    }

    /**
     * Drops every UDP packet that arrives inside (ICE, STUN, TURN over UDP: all media paths of
     * the processes in here; their TCP, the signalling, goes on) until {@link #allowUdp()}.
     */
    public void dropUdp() {
        Requirements.require("iptables", "iptables");
        run("ip", "netns", "exec", name, "iptables", "-I", "INPUT", "-p", "udp", "-j", "DROP");
    }

    /** Undoes {@link #dropUdp()}; does nothing if UDP is not dropped. */
    public void allowUdp() {
        quietly("ip", "netns", "exec", name, "iptables", "-D", "INPUT", "-p", "udp", "-j", "DROP");
    }

    /** A script that runs {@code program} inside, with the arguments it is given. */
    public Path wrapper(Path directory, Path program) {
        try {
            Files.createDirectories(directory);
            Path script = directory.resolve(program.getFileName() + "-in-" + name);
            Files.writeString(script, "#!/bin/sh\nexec ip netns exec " + name + " " + program + " \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            return script;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run(String... command) {
        Processes.run(List.of(command), Map.of(), 10);
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (IllegalStateException e) {
            // nothing to remove
        }
    }

    @Override
    public void close() {
        quietly("ip", "netns", "del", name);
        quietly("ip", "link", "del", hostLink);
    }
}

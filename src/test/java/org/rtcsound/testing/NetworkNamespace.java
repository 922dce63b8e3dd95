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
 * neither loopback nor any real network's.
 */
public final class NetworkNamespace implements AutoCloseable {

    private final String name;
    private final String hostLink;
    private final String address;

    private NetworkNamespace(String name, String hostLink, String address) {
        this.name = name;
        this.hostLink = hostLink;
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
        run("ip", "link", "add", hostLink, "type", "veth", "peer", "name", innerLink);
        run("ip", "link", "set", innerLink, "netns", name);
        run("ip", "addr", "add", hostAddress + "/24", "dev", hostLink);
        run("ip", "link", "set", hostLink, "up");
        run("ip", "netns", "exec", name, "ip", "addr", "add", address + "/24", "dev", innerLink);
        run("ip", "netns", "exec", name, "ip", "link", "set", innerLink, "up");
        run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
        return new NetworkNamespace(name, hostLink, address);
    }

    public String address() {
        return address;
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

package org.rtcsound.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Facts about the address a request came from. */
public final class ClientAddress {

    private ClientAddress() {
    }

    /** Whether the client is on this machine (127.0.0.0/8 or ::1); the address is a literal, never resolved. */
    public static boolean isLoopback(String address) {
        if (address == null || !address.matches("[0-9a-fA-F:.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}

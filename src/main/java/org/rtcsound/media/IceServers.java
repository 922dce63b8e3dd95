package org.rtcsound.media;

/**
 * webrtcbin's STUN and TURN servers for one call, each null when there is none.
 * The TURN URI carries a credential: this record never prints it.
 */
public record IceServers(String stun, String turn) {

    @Override
    public String toString() {
        return "IceServers[stun=" + stun + ", turn=" + (turn == null ? "none" : "***") + "]";
    }
}

package org.rtcsound.config;

/**
 * od.config's {@code webrtc.coturn}: what rtcsound needs to hand out time-limited TURN
 * credentials for a coturn server run with {@code use-auth-secret}.
 *
 * @param staticAuthSecret coturn's {@code static-auth-secret}; never leaves the server
 * @param ttlSeconds       how long a credential lives
 * @param protocol         {@code turn} or {@code turns}
 * @param url              {@code host:port} of the coturn server
 */
public record Coturn(String staticAuthSecret, long ttlSeconds, String protocol, String url) {

    @Override
    public String toString() {
        return "Coturn[staticAuthSecret=***, ttlSeconds=" + ttlSeconds + ", protocol=" + protocol + ", url=" + url + "]";
    }
}

package org.rtcsound.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A TURN Allocate over UDP (RFC 5766 with RFC 5389 long-term credentials), just enough to
 * ask a real coturn whether it grants an allocation to a username and password: first
 * unauthenticated (for the realm and nonce), then with MESSAGE-INTEGRITY.
 */
public final class TurnAllocation {

    private static final int MAGIC_COOKIE = 0x2112A442;
    private static final int ALLOCATE = 0x0003;
    private static final int ALLOCATE_SUCCESS = 0x0103;
    private static final int ALLOCATE_ERROR = 0x0113;
    private static final int USERNAME = 0x0006;
    private static final int MESSAGE_INTEGRITY = 0x0008;
    private static final int ERROR_CODE = 0x0009;
    private static final int REALM = 0x0014;
    private static final int NONCE = 0x0015;
    private static final int REQUESTED_TRANSPORT = 0x0019;

    private TurnAllocation() {
    }

    /** 200 when the allocation is granted, else the TURN error code (401 for refused credentials). */
    public static int allocate(InetSocketAddress server, String username, String password) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(3000);
            Response challenge = exchange(socket, server, request(null, null, null, null));
            if (challenge.type == ALLOCATE_SUCCESS) {
                return 200;
            }
            if (challenge.code != 401 || challenge.realm == null || challenge.nonce == null) {
                return challenge.code;
            }
            Response answer = exchange(socket, server, request(username, password, challenge.realm, challenge.nonce));
            return answer.type == ALLOCATE_SUCCESS ? 200 : answer.code;
        }
    }

    private record Response(int type, int code, String realm, String nonce) {
    }

    private static byte[] request(String username, String password, String realm, String nonce) {
        ByteBuffer attributes = ByteBuffer.allocate(512);
        attribute(attributes, REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0});
        if (username != null) {
            attribute(attributes, USERNAME, username.getBytes(StandardCharsets.UTF_8));
            attribute(attributes, REALM, realm.getBytes(StandardCharsets.UTF_8));
            attribute(attributes, NONCE, nonce.getBytes(StandardCharsets.UTF_8));
        }
        int length = attributes.position() + (username != null ? 24 : 0);
        ByteBuffer message = ByteBuffer.allocate(20 + length);
        byte[] transaction = new byte[12];
        new SecureRandom().nextBytes(transaction);
        message.putShort((short) ALLOCATE).putShort((short) length).putInt(MAGIC_COOKIE).put(transaction);
        message.put(attributes.array(), 0, attributes.position());
        if (username != null) {
            byte[] integrity = hmac(key(username, realm, password), message.array(), message.position());
            message.putShort((short) MESSAGE_INTEGRITY).putShort((short) 20).put(integrity);
        }
        return message.array();
    }

    private static void attribute(ByteBuffer buffer, int type, byte[] value) {
        buffer.putShort((short) type).putShort((short) value.length).put(value);
        while (buffer.position() % 4 != 0) {
            buffer.put((byte) 0);
        }
    }

    private static Response exchange(DatagramSocket socket, InetSocketAddress server, byte[] request)
            throws IOException {
        socket.send(new DatagramPacket(request, request.length, server));
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        ByteBuffer in = ByteBuffer.wrap(buffer, 0, packet.getLength());
        int type = in.getShort() & 0xFFFF;
        int length = in.getShort() & 0xFFFF;
        in.position(20);
        int code = type == ALLOCATE_SUCCESS ? 200 : 0;
        String realm = null;
        String nonce = null;
        while (in.position() < 20 + length) {
            int attributeType = in.getShort() & 0xFFFF;
            int attributeLength = in.getShort() & 0xFFFF;
            byte[] value = new byte[attributeLength];
            in.get(value);
            in.position(in.position() + (4 - attributeLength % 4) % 4);
            if (attributeType == ERROR_CODE) {
                code = (value[2] & 0x07) * 100 + (value[3] & 0xFF);
            } else if (attributeType == REALM) {
                realm = new String(value, StandardCharsets.UTF_8);
            } else if (attributeType == NONCE) {
                nonce = new String(value, StandardCharsets.UTF_8);
            }
        }
        if (type != ALLOCATE_SUCCESS && type != ALLOCATE_ERROR) {
            throw new IOException("not an Allocate response: 0x" + Integer.toHexString(type));
        }
        return new Response(type, code, realm, nonce);
    }

    private static byte[] key(String username, String realm, String password) {
        try {
            return MessageDigest.getInstance("MD5")
                    .digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] message, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            mac.update(message, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

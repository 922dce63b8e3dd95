package org.rtcsound.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The keys tokens are checked with. Key files are read again when they change (time or
 * size), so a replaced key is in force for the next token without a restart. The demo
 * key pair is made here, in memory, the first time the demo sign-in needs it.
 */
@ApplicationScoped
public class TrustedKeys {

    private static final Logger LOG = Logger.getLogger(TrustedKeys.class.getName());

    @Inject
    SecuritySettings settings;

    private final Map<Path, Loaded> files = new ConcurrentHashMap<>();
    /** Files whose problem was already logged: every request checks the keys, the log says it once. */
    private final Map<Path, String> reported = new ConcurrentHashMap<>();
    private volatile KeyPair demo;

    private record Loaded(FileTime modified, long size, Key key) {
    }

    /** The public keys a token's signature may verify with: the issuer's, and the demo key when the demo is on. */
    public List<PublicKey> signingKeys() {
        List<PublicKey> keys = new ArrayList<>();
        settings.publicKeyFile().flatMap(f -> load(f, true)).ifPresent(k -> keys.add((PublicKey) k));
        settings.desktopPublicKeyFile().flatMap(f -> load(f, true)).ifPresent(k -> keys.add((PublicKey) k));
        if (settings.demoSignIn()) {
            keys.add(demoKeyPair().getPublic());
        }
        return keys;
    }

    /** The private key that opens abcdesktop's {@code hash} claim, when configured. */
    public Optional<PrivateKey> payloadKey() {
        return settings.payloadPrivateKeyFile().flatMap(f -> load(f, false)).map(k -> (PrivateKey) k);
    }

    /** rtcsound's own key pair for the local demo sign-in; never leaves memory. */
    public synchronized KeyPair demoKeyPair() {
        if (demo == null) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                demo = generator.generateKeyPair();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return demo;
    }

    private Optional<Key> load(String name, boolean publicKey) {
        Path file = Path.of(name);
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            Loaded loaded = files.get(file);
            if (loaded == null || !loaded.modified().equals(modified) || loaded.size() != size) {
                Key key = publicKey ? PemKeys.publicKey(file) : PemKeys.privateKey(file);
                loaded = new Loaded(modified, size, key);
                files.put(file, loaded);
                reported.remove(file);
                LOG.info(() -> "read " + (publicKey ? "public" : "private") + " key " + file);
            }
            return Optional.of(loaded.key());
        } catch (IOException | RuntimeException e) {
            files.remove(file);
            // The message names the file only: key material never reaches the log.
            String problem = e.getClass().getSimpleName();
            if (!problem.equals(reported.put(file, problem))) {
                LOG.warning(() -> "cannot read key file " + file + ": " + problem);
            }
            return Optional.empty();
        }
    }
}

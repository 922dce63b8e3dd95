package org.rtcsound.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The known vectors of the TURN REST credential scheme (shared/notes/interop.md). */
class TurnCredentialTest {

    @Test
    void theSeedsExampleWithAnExpiryAlone() {
        TurnCredential credential = TurnCredential.issue("CHANGEME", null, Instant.ofEpochSecond(1703086872));
        assertEquals("1703086872", credential.username());
        assertEquals("ytSG5uYRw8BgWS3wdrsbu+lSaDE=", credential.credential());
    }

    @Test
    void anExpiryBoundToAUser() {
        TurnCredential credential = TurnCredential.issue("s3cr3t", "alice", Instant.ofEpochSecond(1700000000));
        assertEquals("1700000000:alice", credential.username());
        assertEquals("81mjszbESz91Gv1n2xG/SVLX+uY=", credential.credential());
    }

    @Test
    void webrtcbinsUriEscapesTheColonOfTheUsernameAndThePlusSlashAndEqualsOfTheCredential() {
        TurnCredential credential = TurnCredential.issue("s3cr3t", "alice", Instant.ofEpochSecond(1700000000));
        assertEquals("turns://1700000000%3Aalice:81mjszbESz91Gv1n2xG%2FSVLX%2BuY%3D@turn.example:5349",
                credential.webrtcbinUri("turns", "turn.example:5349"));
    }

    @Test
    void theCredentialNeverPrints() {
        TurnCredential credential = TurnCredential.issue("s3cr3t", "alice", Instant.ofEpochSecond(1700000000));
        assertFalse(credential.toString().contains(credential.credential()));
    }
}

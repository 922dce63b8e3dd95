package org.rtcsound.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rtcsound.call.CloseCode;
import org.rtcsound.call.Refusal;
import org.rtcsound.testing.MapConfig;

class SessionLimitsTest {

    private static SessionLimits limits(Map<String, String> values) {
        SessionLimits limits = new SessionLimits();
        limits.settings = new SecuritySettings(new MapConfig(values));
        return limits;
    }

    /** Once a converter's exception that reached the endpoint's catch-all ("internal error"). */
    @Test
    void aLimitThatIsNoNumberIsARefusalNamingTheSetting() {
        Refusal refusal = assertThrows(Refusal.InvalidSetting.class,
                () -> limits(Map.of("rtcsound.limits.sessions-per-user", "abc")).acquire("alice"));
        assertEquals("setting 'rtcsound.limits.sessions-per-user' must be a whole number, got 'abc'", refusal.reason());
        assertEquals(CloseCode.MEDIA_FAILED, refusal.closeCode());
    }

    @Test
    void theUsersLimitComesFirstThenTheServers() {
        SessionLimits limits = limits(Map.of("rtcsound.limits.sessions-per-user", "1", "rtcsound.limits.sessions", "2"));
        limits.acquire("alice");
        Refusal mine = assertThrows(Refusal.LimitReached.class, () -> limits.acquire("alice"));
        assertEquals("you already have 1 sessions open (the limit is 1); close one first", mine.reason());
        assertEquals(CloseCode.TRY_AGAIN_LATER, mine.closeCode());
        limits.acquire("bob");
        Refusal server = assertThrows(Refusal.LimitReached.class, () -> limits.acquire("carol"));
        assertEquals("this server is at its limit of 2 sessions; try again later", server.reason());
    }
}

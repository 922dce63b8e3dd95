package org.rtcsound.signalling;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.rtcsound.call.SignallingSession;

/** The signalling sessions open in this server. */
@ApplicationScoped
public class SessionRegistry {

    private final Map<String, SignallingSession> sessions = new ConcurrentHashMap<>();

    void add(SignallingSession session) {
        sessions.put(session.id(), session);
    }

    void remove(SignallingSession session) {
        sessions.remove(session.id());
    }

    public int count() {
        return sessions.size();
    }

    /** How many sessions are in each state (signed in or not, offered, answered, closing). */
    public Map<String, Integer> states() {
        Map<String, Integer> states = new java.util.TreeMap<>();
        sessions.values().forEach(s -> states.merge(s.describeState(), 1, Integer::sum));
        return states;
    }
}

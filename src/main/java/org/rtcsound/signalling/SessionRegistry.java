package org.rtcsound.signalling;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.rtcsound.call.SignallingSession;

/** The signalling sessions open in this server. */
@ApplicationScoped
public class SessionRegistry {

    private final Map<String, SignallingSession> sessions = new ConcurrentHashMap<>();
    private boolean closed;

    /** False once the server is stopping: the session must not start (its page calls again, elsewhere or later). */
    synchronized boolean add(SignallingSession session) {
        if (closed) {
            return false;
        }
        sessions.put(session.id(), session);
        return true;
    }

    /**
     * The server is stopping: no session joins any more. The ones open now, to be told; none
     * when it was closed already (the stop is told once).
     */
    synchronized java.util.List<SignallingSession> close() {
        if (closed) {
            return java.util.List.of();
        }
        closed = true;
        return java.util.List.copyOf(sessions.values());
    }

    void remove(SignallingSession session) {
        sessions.remove(session.id());
    }

    /** The sessions open now, oldest first, as an operator sees them. */
    public java.util.List<SignallingSession.View> views() {
        return sessions.values().stream().map(SignallingSession::view)
                .sorted(java.util.Comparator.comparing(SignallingSession.View::openedAt)).toList();
    }

    /** Every open session. */
    public java.util.List<SignallingSession> all() {
        return java.util.List.copyOf(sessions.values());
    }

    /** The open session with this id. */
    public java.util.Optional<SignallingSession> find(String id) {
        return java.util.Optional.ofNullable(sessions.get(id));
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

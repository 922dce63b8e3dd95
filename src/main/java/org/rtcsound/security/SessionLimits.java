package org.rtcsound.security;

import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.rtcsound.call.Refusal.LimitReached;

/**
 * How many calls may run at once, per user and in total, and how fast one client address
 * may open new signalling connections (a token bucket: a minute's worth of burst, refilled
 * evenly). Limits are read at each use, so an od.config change applies to the next call.
 */
@ApplicationScoped
public class SessionLimits {

    /** A running call's hold on the limits; release it once, when the call ends. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    @Inject
    SecuritySettings settings;

    private final Map<String, Integer> perUser = new HashMap<>();
    private int total;
    private final Map<String, Bucket> buckets = new HashMap<>();

    /** Takes a place for a call of {@code user}, or refuses with the limit that is reached. */
    public synchronized Permit acquire(String user) {
        int maxTotal = settings.sessions();
        int maxPerUser = settings.sessionsPerUser();
        int mine = perUser.getOrDefault(user, 0);
        if (mine >= maxPerUser) {
            throw new LimitReached("you already have " + mine + " sessions open (the limit is "
                    + maxPerUser + "); close one first");
        }
        if (total >= maxTotal) {
            throw new LimitReached("this server is at its limit of " + maxTotal
                    + " sessions; try again later");
        }
        total++;
        perUser.put(user, mine + 1);
        return new Permit() {
            private boolean released;

            @Override
            public void close() {
                synchronized (SessionLimits.this) {
                    if (released) {
                        return;
                    }
                    released = true;
                    total--;
                    perUser.computeIfPresent(user, (u, n) -> n > 1 ? n - 1 : null);
                }
            }
        };
    }

    /** Counts a new connection from {@code client}; false when it comes too fast. */
    public synchronized boolean admitConnection(String client) {
        int perMinute = settings.newSessionsPerClientPerMinute();
        long now = System.nanoTime();
        buckets.values().removeIf(b -> b.isFull(now, perMinute));
        Bucket bucket = buckets.computeIfAbsent(client, c -> new Bucket(perMinute, now));
        return bucket.take(now, perMinute);
    }

    private static final class Bucket {
        private double tokens;
        private long updated;

        Bucket(int capacity, long now) {
            tokens = capacity;
            updated = now;
        }

        private void refill(long now, int perMinute) {
            tokens = Math.min(perMinute, tokens + (now - updated) / 60e9 * perMinute);
            updated = now;
        }

        boolean take(long now, int perMinute) {
            refill(now, perMinute);
            if (tokens < 1) {
                return false;
            }
            tokens--;
            return true;
        }

        boolean isFull(long now, int perMinute) {
            refill(now, perMinute);
            return tokens >= perMinute;
        }
    }
}

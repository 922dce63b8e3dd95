package org.rtcsound.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.rtcsound.media.MediaService;
import org.rtcsound.signalling.SessionRegistry;

/**
 * {@code GET /API/admin/status}: what this server holds right now. Native threads and
 * open files are the process's own (from /proc), so GStreamer's threads and sockets count.
 */
@RequestScoped
@jakarta.ws.rs.Path("admin")
public class AdminResource {

    @Inject
    SessionRegistry sessions;

    @Inject
    MediaService media;

    @GET
    @jakarta.ws.rs.Path("status")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject status() {
        return Json.createObjectBuilder()
                .add("sessions", sessions.count())
                .add("pipelines", media.livePipelines())
                .add("gstreamer", media.unavailableReason() == null ? "ready" : media.unavailableReason())
                .add("javaThreads", Thread.activeCount())
                .add("nativeThreads", count(Path.of("/proc/self/task")))
                .add("openFiles", count(Path.of("/proc/self/fd")))
                .add("openSockets", sockets())
                .build();
    }

    /** Sockets the process holds (WebSocket connections, ICE's UDP and TCP sockets, PulseAudio's). */
    private static long sockets() {
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false; // closed while we looked
                }
            }).count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long count(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.count();
        } catch (IOException e) {
            return -1;
        }
    }
}

package org.rtcsound.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.rtcsound.call.MediaFigures;
import org.rtcsound.call.SignallingSession;
import org.rtcsound.config.OdConfigStore;
import org.rtcsound.kubernetes.DesktopPods;
import org.rtcsound.media.MediaService;
import org.rtcsound.media.TracedOnset;
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

    @Inject
    DesktopPods pods;

    @Operation(summary = "What this server holds now: sessions, listeners, desktop streams, threads, files and sockets")
    @GET
    @jakarta.ws.rs.Path("status")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject status() {
        return Json.createObjectBuilder()
                .add("sessions", sessions.count())
                .add("sessionStates", Json.createObjectBuilder(new java.util.HashMap<String, Object>(sessions.states())))
                .add("listeners", media.liveListeners())
                .add("listenersCreated", media.listenersCreated())
                .add("desktopStreamsLive", media.liveDesktopStreams())
                .add("desktopStreamsCreated", media.desktopStreamsCreated())
                .add("desktopStreams", desktopStreams())
                .add("gstreamer", media.unavailableReason() == null ? "ready" : media.unavailableReason())
                .add("javaThreads", Thread.activeCount())
                .add("nativeThreads", count(Path.of("/proc/self/task")))
                .add("openFiles", count(Path.of("/proc/self/fd")))
                .add("openSockets", sockets())
                .add("gstreamerObjects", gstreamerObjects())
                .build();
    }

    /**
     * GStreamer's own count of its live objects (beyond start-up's), with the types that
     * changed, when the server runs with GST_TRACERS=leaks; null otherwise.
     */
    private JsonValue gstreamerObjects() {
        Long alive = media.gstreamerObjects();
        if (alive == null) {
            return JsonValue.NULL;
        }
        JsonObjectBuilder byType = Json.createObjectBuilder();
        media.gstreamerObjectsByType().forEach(byType::add);
        return Json.createObjectBuilder().add("alive", alive).add("byType", byType).build();
    }

    private JsonArray desktopStreams() {
        JsonArrayBuilder streams = Json.createArrayBuilder();
        media.desktopStreams().forEach(stream -> streams.add(Json.createObjectBuilder()
                .add("server", stream.server())
                .add("speakerSink", stream.speakerSink())
                .add("listeners", stream.listeners())
                .add("lingering", stream.lingering())
                .add("startedAt", stream.startedAt())
                .add("levelDb", Math.round(stream.levelDb() * 10) / 10.0)
                .add("onsets", onsets(stream.onsets()))));
        return streams.build();
    }

    /** Traced onsets (rtcsound.trace.onsets), times in ms since the epoch to the microsecond. */
    private static JsonArray onsets(List<TracedOnset> traced) {
        JsonArrayBuilder onsets = Json.createArrayBuilder();
        traced.forEach(onset -> {
            JsonArrayBuilder packed = Json.createArrayBuilder();
            onset.packedMicros().forEach(micros -> packed.add(micros / 1000.0));
            onsets.add(Json.createObjectBuilder()
                    .add("capturedAt", onset.capturedMicros() / 1000.0)
                    .add("encodedAt", onset.encodedMicros() == 0 ? JsonValue.NULL : Json.createValue(onset.encodedMicros() / 1000.0))
                    .add("packedAt", packed));
        });
        return onsets.build();
    }

    /** When the call's HELLO came (ms since the epoch), and each step of its media side's start, in ms after it. */
    private static JsonValue startup(SignallingSession.View view) {
        if (view.helloAt() == null) {
            return JsonValue.NULL;
        }
        JsonObjectBuilder steps = Json.createObjectBuilder();
        view.startup().forEach((step, at) -> steps.add(step,
                Math.round(java.time.Duration.between(view.helloAt(), at).toNanos() / 1e4) / 100.0));
        return Json.createObjectBuilder()
                .add("helloAt", view.helloAt().toEpochMilli() + view.helloAt().getNano() % 1_000_000 / 1e6)
                .add("msAfterHello", steps).build();
    }

    /** {@code GET /API/admin/calls}: every signalling session open, oldest first, with its network figures. */
    @Operation(summary = "Every call open, oldest first: id, caller, state, since, desktop, microphone, and its"
            + " network figures (path direct, relay or websocket, ICE state, round trip, loss, jitter, bitrate, bytes and packets sent, the ICE agent's check pacing)")
    @GET
    @jakarta.ws.rs.Path("calls")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonArray calls() {
        JsonArrayBuilder calls = Json.createArrayBuilder();
        sessions.views().forEach(view -> calls.add(Json.createObjectBuilder()
                .add("id", view.id())
                .add("caller", orNull(view.caller()))
                .add("state", view.state())
                .add("openedAt", view.openedAt().toString())
                .add("desktop", orNull(view.desktop()))
                .add("microphone", view.media().microphone())
                .add("startup", startup(view))
                .add("network", network(view.media()))));
        return calls.build();
    }

    private static JsonObject network(MediaFigures media) {
        return Json.createObjectBuilder()
                .add("path", orNull(media.path()))
                .add("iceState", media.iceState())
                .add("roundTripMs", orNull(media.roundTripSeconds(), 1000))
                .add("fractionLost", media.fractionLost() == null ? JsonValue.NULL : Json.createValue(media.fractionLost()))
                .add("packetsLost", media.packetsLost() == null ? JsonValue.NULL : Json.createValue(media.packetsLost()))
                .add("jitterMs", orNull(media.jitterSeconds(), 1000))
                .add("bitrateKbps", orNull(media.bitsPerSecond(), 0.001))
                .add("bytesSent", media.bytesSent())
                .add("packetsSent", media.packetsSent())
                .add("iceCheckPacingMs", media.iceCheckPacingMs() == null ? JsonValue.NULL
                        : Json.createValue(media.iceCheckPacingMs()))
                .build();
    }

    private static JsonValue orNull(String text) {
        return text == null ? JsonValue.NULL : Json.createValue(text);
    }

    /** A figure in the unit the API shows (scaled, to 0.1), or null when not measured yet. */
    private static JsonValue orNull(Double value, double scale) {
        return value == null || value.isNaN() ? JsonValue.NULL : Json.createValue(Math.round(value * scale * 10) / 10.0);
    }

    /**
     * {@code DELETE /API/admin/calls/{id}}: ends that call now; its page says an operator
     * ended it and does not call again by itself. 204, or 404 for no such call.
     */
    @Operation(summary = "Ends a call now: its media is released, its page is told (close 4000) and does not call again",
            description = "204, or 404 when there is no such call.")
    @DELETE
    @jakarta.ws.rs.Path("calls/{id}")
    public Response endCall(@PathParam("id") String id) {
        return sessions.find(id).map(session -> {
            session.endByOperator();
            return Response.noContent().build();
        }).orElseGet(() -> Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                .entity(Json.createObjectBuilder().add("status", 404).add("message", "no call " + id).build()).build());
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

    /**
     * {@code GET /API/admin/config}: the od.config in force (where from, which version),
     * the last version refused and why, and the values, with every secret redacted.
     */
    @Operation(summary = "The od.config in force, the last version refused and why, its values with secrets redacted")
    @GET
    @jakarta.ws.rs.Path("config")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject configuration() {
        OdConfigStore.Version version = OdConfigStore.current();
        OdConfigStore.Refusal refusal = OdConfigStore.lastRefusal();
        JsonObjectBuilder values = Json.createObjectBuilder();
        version.config().global().forEach((key, value) -> values.add(key, Redaction.redact(key, value)));
        return Json.createObjectBuilder()
                .add("source", version.source())
                .add("sha256", version.sha256())
                .add("loadedAt", version.loadedAt().toString())
                .add("lastRefusal", refusal == null ? JsonValue.NULL : Json.createObjectBuilder()
                        .add("message", refusal.message())
                        .add("at", refusal.at().toString()).build())
                .add("values", values)
                .build();
    }

    /** {@code GET /API/admin/desktops}: the desktop pods known by user, when they come from Kubernetes. */
    @Operation(summary = "The desktop pods known, by user, when desktops come from Kubernetes")
    @GET
    @jakarta.ws.rs.Path("desktops")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject desktops() {
        JsonObjectBuilder desktops = Json.createObjectBuilder();
        pods.all().forEach(desktops::add);
        return Json.createObjectBuilder().add("source", pods.enabled() ? "kubernetes" : "configuration")
                .add("desktops", desktops).build();
    }

    private static long count(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.count();
        } catch (IOException e) {
            return -1;
        }
    }
}

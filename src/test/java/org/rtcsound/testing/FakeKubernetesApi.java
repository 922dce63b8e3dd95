package org.rtcsound.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Stands in for the Kubernetes API server, which cannot run on these machines: the real
 * REST paths for ConfigMaps and Pods (get, list with label selectors, replace) and the
 * streaming watch
 * ({@code ?watch=true}: one JSON event per line, ADDED/MODIFIED/DELETED, with
 * resourceVersion), so that kubernetes-client-java runs unchanged against it. Like the
 * real server it gives each new object a uid and a creationTimestamp (whole seconds; here
 * each new object a second after the one before, so "newest" is never a tie).
 */
public final class FakeKubernetesApi implements AutoCloseable {

    private static final String PREFIX = "/api/v1/namespaces/";
    private static final String POISON = "";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    /** Objects by "resource/namespace/name". */
    private final Map<String, JsonObject> objects = new ConcurrentHashMap<>();
    private final List<BlockingQueue<String>> watches = new CopyOnWriteArrayList<>();
    private final AtomicLong resourceVersion = new AtomicLong(1000);
    private final AtomicInteger watchesOpened = new AtomicInteger();
    private final AtomicLong lastCreated = new AtomicLong();

    private FakeKubernetesApi(HttpServer server) {
        this.server = server;
    }

    public static FakeKubernetesApi start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            FakeKubernetesApi api = new FakeKubernetesApi(server);
            server.createContext("/", api::handle);
            server.setExecutor(api.executor);
            server.start();
            return api;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** A kubeconfig that points kubernetes-client-java here. */
    public Path writeKubeconfig(Path file) {
        String yaml = String.join("\n",
                "apiVersion: v1", "kind: Config", "current-context: fake",
                "clusters:", "- name: fake", "  cluster:", "    server: " + uri(),
                "users:", "- name: tester", "  user:", "    token: not-a-real-token",
                "contexts:", "- name: fake", "  context:", "    cluster: fake", "    user: tester", "");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates or replaces a ConfigMap, as {@code kubectl replace} does, and tells the watches. */
    public void put(String namespace, String name, Map<String, String> data) {
        JsonObjectBuilder dataJson = Json.createObjectBuilder();
        data.forEach(dataJson::add);
        store("configmaps", namespace, name, Json.createObjectBuilder().add("data", dataJson).build());
    }

    /** Creates or changes a pod with these labels, IP and phase, and tells the watches. */
    public void putPod(String namespace, String name, Map<String, String> labels, String podIp, String phase) {
        putPod(namespace, name, labels, podIp, phase, Map.of());
    }

    /** The same, with this environment (literal values) in the pod's one container. */
    public void putPod(String namespace, String name, Map<String, String> labels, String podIp, String phase,
            Map<String, String> env) {
        JsonObjectBuilder labelsJson = Json.createObjectBuilder();
        labels.forEach(labelsJson::add);
        var envJson = Json.createArrayBuilder();
        env.forEach((key, value) -> envJson.add(Json.createObjectBuilder().add("name", key).add("value", value)));
        store("pods", namespace, name, Json.createObjectBuilder()
                .add("metadata", Json.createObjectBuilder().add("labels", labelsJson))
                .add("spec", Json.createObjectBuilder().add("containers", Json.createArrayBuilder()
                        .add(Json.createObjectBuilder().add("name", "desktop").add("image", "desktop").add("env", envJson))))
                .add("status", Json.createObjectBuilder().add("podIP", podIp).add("phase", phase)).build());
    }

    /** Marks a pod terminating (a deletionTimestamp, still Running), as a delete does before the pod is gone. */
    public void terminatePod(String namespace, String name) {
        JsonObject pod = objects.get("pods/" + namespace + "/" + name);
        String now = Instant.ofEpochSecond(Instant.now().getEpochSecond()).toString();
        store("pods", namespace, name, Json.createObjectBuilder(pod).add("metadata",
                Json.createObjectBuilder(pod.getJsonObject("metadata")).add("deletionTimestamp", now)).build());
    }

    public void deletePod(String namespace, String name) {
        JsonObject pod = objects.remove("pods/" + namespace + "/" + name);
        if (pod != null) {
            String event = Json.createObjectBuilder().add("type", "DELETED").add("object", pod).build().toString();
            watches.forEach(queue -> queue.add(event));
        }
    }

    public int watchesOpened() {
        return watchesOpened.get();
    }

    /** Ends every open watch, as an API server restart or a network cut would. */
    public void dropWatches() {
        watches.forEach(queue -> queue.add(POISON));
    }

    private JsonObject store(String resource, String namespace, String name, JsonObject body) {
        String key = resource + "/" + namespace + "/" + name;
        JsonObject existing = objects.get(key);
        boolean existed = existing != null;
        JsonObject metadata = body.containsKey("metadata") ? body.getJsonObject("metadata") : JsonObject.EMPTY_JSON_OBJECT;
        JsonObjectBuilder object = Json.createObjectBuilder(body)
                .add("apiVersion", "v1").add("kind", resource.equals("pods") ? "Pod" : "ConfigMap")
                .add("metadata", Json.createObjectBuilder(metadata).add("name", name).add("namespace", namespace)
                        .add("uid", existed ? existing.getJsonObject("metadata").getString("uid")
                                : UUID.randomUUID().toString())
                        .add("creationTimestamp", existed
                                ? existing.getJsonObject("metadata").getString("creationTimestamp") : newCreationTime())
                        .add("resourceVersion", Long.toString(resourceVersion.incrementAndGet())));
        JsonObject stored = object.build();
        objects.put(key, stored);
        String event = Json.createObjectBuilder().add("type", existed ? "MODIFIED" : "ADDED")
                .add("object", stored).build().toString();
        watches.forEach(queue -> queue.add(event));
        return stored;
    }

    /** Whole seconds, each a second after the one before at least. */
    private String newCreationTime() {
        long now = Instant.now().getEpochSecond();
        return Instant.ofEpochSecond(lastCreated.updateAndGet(last -> Math.max(now, last + 1))).toString();
    }

    /** Equality label selectors (a=b,c=d) and metadata.name field selectors. */
    private static boolean matches(JsonObject object, Map<String, String> query) {
        JsonObject metadata = object.getJsonObject("metadata");
        String name = query.getOrDefault("fieldSelector", "").replace("metadata.name=", "");
        if (!name.isEmpty() && !name.equals(metadata.getString("name"))) {
            return false;
        }
        String selector = query.getOrDefault("labelSelector", "");
        JsonObject labels = metadata.containsKey("labels") ? metadata.getJsonObject("labels") : JsonObject.EMPTY_JSON_OBJECT;
        for (String term : selector.isEmpty() ? new String[0] : selector.split(",")) {
            String[] kv = term.split("=", 2);
            if (!labels.containsKey(kv[0]) || !labels.getString(kv[0]).equals(kv.length > 1 ? kv[1] : "")) {
                return false;
            }
        }
        return true;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String[] parts = path.startsWith(PREFIX) ? path.substring(PREFIX.length()).split("/") : new String[0];
            if (parts.length < 2 || !(parts[1].equals("configmaps") || parts[1].equals("pods"))) {
                reply(exchange, 404, status(404, "NotFound", "no such path " + path));
                return;
            }
            String namespace = parts[0];
            String resource = parts[1];
            String prefix = resource + "/" + namespace + "/";
            if (parts.length == 2 && "true".equals(query.get("watch"))) {
                watch(exchange, prefix, query);
            } else if (parts.length == 2) {
                var items = Json.createArrayBuilder();
                objects.forEach((key, object) -> {
                    if (key.startsWith(prefix) && matches(object, query)) {
                        items.add(object);
                    }
                });
                reply(exchange, 200, Json.createObjectBuilder().add("apiVersion", "v1")
                        .add("kind", resource.equals("pods") ? "PodList" : "ConfigMapList")
                        .add("metadata", Json.createObjectBuilder().add("resourceVersion",
                                Long.toString(resourceVersion.get())))
                        .add("items", items).build());
            } else if (parts.length == 3 && "GET".equals(exchange.getRequestMethod())) {
                JsonObject object = objects.get(prefix + parts[2]);
                reply(exchange, object == null ? 404 : 200,
                        object == null ? status(404, "NotFound", resource + " \"" + parts[2] + "\" not found") : object);
            } else if (parts.length == 3 && "PUT".equals(exchange.getRequestMethod())) {
                try (InputStream in = exchange.getRequestBody()) {
                    JsonObject body = Json.createReader(new StringReader(new String(in.readAllBytes(),
                            StandardCharsets.UTF_8))).readObject();
                    reply(exchange, 200, store(resource, namespace, parts[2], body));
                }
            } else {
                reply(exchange, 405, status(405, "MethodNotAllowed", exchange.getRequestMethod()));
            }
        }
    }

    /** Streams events, one JSON object a line, until the client leaves or {@link #dropWatches()}. */
    private void watch(HttpExchange exchange, String prefix, Map<String, String> query) throws IOException {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        long since = Long.parseLong(query.getOrDefault("resourceVersion", "0"));
        objects.forEach((key, object) -> { // what changed since the version the client has
            if (key.startsWith(prefix) && Long.parseLong(
                    object.getJsonObject("metadata").getString("resourceVersion")) > since) {
                queue.add(Json.createObjectBuilder().add("type", "MODIFIED").add("object", object).build().toString());
            }
        });
        watches.add(queue);
        watchesOpened.incrementAndGet();
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            while (true) {
                String event = queue.poll(200, TimeUnit.MILLISECONDS);
                if (event == POISON) {
                    return;
                }
                if (event == null) {
                    continue;
                }
                JsonObject object = Json.createReader(new StringReader(event)).readObject().getJsonObject("object");
                JsonObject metadata = object.getJsonObject("metadata");
                String key = (object.getString("kind").equals("Pod") ? "pods/" : "configmaps/")
                        + metadata.getString("namespace") + "/";
                if (key.equals(prefix) && matches(object, query)) {
                    out.write((event + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException gone) {
            // the client closed the watch
        } finally {
            watches.remove(queue);
        }
    }

    private static JsonObject status(int code, String reason, String message) {
        return Json.createObjectBuilder().add("apiVersion", "v1").add("kind", "Status").add("status", "Failure")
                .add("reason", reason).add("message", message).add("code", code).build();
    }

    private static void reply(HttpExchange exchange, int code, JsonObject body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new java.util.HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        return query;
    }

    @Override
    public void close() {
        dropWatches();
        server.stop(0);
        executor.shutdownNow();
    }
}

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
import java.util.List;
import java.util.Map;
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
 * REST paths for ConfigMaps (get, list, replace) and the streaming watch
 * ({@code ?watch=true}: one JSON event per line, ADDED/MODIFIED/DELETED, with
 * resourceVersion), so that kubernetes-client-java runs unchanged against it.
 */
public final class FakeKubernetesApi implements AutoCloseable {

    private static final String PREFIX = "/api/v1/namespaces/";
    private static final String POISON = "";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, JsonObject> configMaps = new ConcurrentHashMap<>();
    private final List<BlockingQueue<String>> watches = new CopyOnWriteArrayList<>();
    private final AtomicLong resourceVersion = new AtomicLong(1000);
    private final AtomicInteger watchesOpened = new AtomicInteger();

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
        store(namespace, name, Json.createObjectBuilder().add("data", dataJson).build());
    }

    public int watchesOpened() {
        return watchesOpened.get();
    }

    /** Ends every open watch, as an API server restart or a network cut would. */
    public void dropWatches() {
        watches.forEach(queue -> queue.add(POISON));
    }

    private JsonObject store(String namespace, String name, JsonObject body) {
        String key = namespace + "/" + name;
        boolean existed = configMaps.containsKey(key);
        JsonObject configMap = Json.createObjectBuilder()
                .add("apiVersion", "v1").add("kind", "ConfigMap")
                .add("metadata", Json.createObjectBuilder().add("name", name).add("namespace", namespace)
                        .add("resourceVersion", Long.toString(resourceVersion.incrementAndGet())))
                .add("data", body.containsKey("data") ? body.getJsonObject("data") : JsonObject.EMPTY_JSON_OBJECT)
                .build();
        configMaps.put(key, configMap);
        String event = Json.createObjectBuilder().add("type", existed ? "MODIFIED" : "ADDED")
                .add("object", configMap).build().toString();
        watches.forEach(queue -> queue.add(event));
        return configMap;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (!path.startsWith(PREFIX) || !path.contains("/configmaps")) {
                reply(exchange, 404, status(404, "NotFound", "no such path " + path));
                return;
            }
            String[] parts = path.substring(PREFIX.length()).split("/");
            String namespace = parts[0];
            if (parts.length == 2 && "true".equals(query.get("watch"))) {
                watch(exchange, namespace, query);
            } else if (parts.length == 2) {
                var items = Json.createArrayBuilder();
                configMaps.forEach((key, cm) -> {
                    if (key.startsWith(namespace + "/")) {
                        items.add(cm);
                    }
                });
                reply(exchange, 200, Json.createObjectBuilder().add("apiVersion", "v1").add("kind", "ConfigMapList")
                        .add("metadata", Json.createObjectBuilder().add("resourceVersion",
                                Long.toString(resourceVersion.get())))
                        .add("items", items).build());
            } else if (parts.length == 3 && "GET".equals(exchange.getRequestMethod())) {
                JsonObject cm = configMaps.get(namespace + "/" + parts[2]);
                reply(exchange, cm == null ? 404 : 200,
                        cm == null ? status(404, "NotFound", "configmaps \"" + parts[2] + "\" not found") : cm);
            } else if (parts.length == 3 && "PUT".equals(exchange.getRequestMethod())) {
                try (InputStream in = exchange.getRequestBody()) {
                    JsonObject body = Json.createReader(new StringReader(new String(in.readAllBytes(),
                            StandardCharsets.UTF_8))).readObject();
                    reply(exchange, 200, store(namespace, parts[2], body));
                }
            } else {
                reply(exchange, 405, status(405, "MethodNotAllowed", exchange.getRequestMethod()));
            }
        }
    }

    /** Streams events, one JSON object a line, until the client leaves or {@link #dropWatches()}. */
    private void watch(HttpExchange exchange, String namespace, Map<String, String> query) throws IOException {
        String wanted = query.getOrDefault("fieldSelector", "").replace("metadata.name=", "");
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        long since = Long.parseLong(query.getOrDefault("resourceVersion", "0"));
        configMaps.forEach((key, cm) -> { // what changed since the version the client has
            if (key.startsWith(namespace + "/") && Long.parseLong(
                    cm.getJsonObject("metadata").getString("resourceVersion")) > since) {
                queue.add(Json.createObjectBuilder().add("type", "MODIFIED").add("object", cm).build().toString());
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
                if (metadata.getString("namespace").equals(namespace)
                        && (wanted.isEmpty() || metadata.getString("name").equals(wanted))) {
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

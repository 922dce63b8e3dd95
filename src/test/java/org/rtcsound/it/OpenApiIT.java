package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Suite;

/**
 * The OpenAPI document of the built server (/openapi, with its UI at /openapi/ui) lists every
 * REST resource, each operation with a summary, and says they take a bearer token.
 */
@ExtendWith(Suite.class)
class OpenApiIT {

    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

    private final Suite.Parts parts;

    OpenApiIT(Suite.Parts parts) {
        this.parts = parts;
    }

    @Test
    void everyResourceIsDescribedWithASummaryAndTheBearerScheme() {
        HttpResponse<String> response = parts.liberty().get("/openapi?format=JSON");
        assertEquals(200, response.statusCode(), response.body());
        JsonObject document = Json.createReader(new StringReader(response.body())).readObject();
        JsonObject paths = document.getJsonObject("paths");
        for (String path : List.of("/API/webrtc/coturn_rtcconfiguration", "/API/core/getkeyinfo",
                "/API/rtcsound/rtc-configuration", "/API/rtcsound/page-info", "/API/rtcsound/demo-sign-in",
                "/API/admin/status", "/API/admin/calls", "/API/admin/calls/{id}", "/API/admin/config",
                "/API/admin/desktops")) {
            assertTrue(paths.containsKey(path), "missing " + path + " in " + paths.keySet());
        }
        List<String> undescribed = new ArrayList<>();
        paths.forEach((path, item) -> item.asJsonObject().forEach((method, operation) -> {
            if (METHODS.contains(method) && operation.asJsonObject().getString("summary", "").isBlank()) {
                undescribed.add(method.toUpperCase() + " " + path);
            }
        }));
        assertTrue(undescribed.isEmpty(), "operations without a summary: " + undescribed);
        assertTrue(paths.getJsonObject("/API/admin/calls/{id}").containsKey("delete"));
        assertEquals("bearer", document.getJsonObject("components").getJsonObject("securitySchemes")
                .getJsonObject("bearer").getString("scheme"));
        HttpResponse<String> ui = parts.liberty().get("/openapi/ui/");
        assertEquals(200, ui.statusCode());
        assertFalse(ui.body().isBlank());
    }
}

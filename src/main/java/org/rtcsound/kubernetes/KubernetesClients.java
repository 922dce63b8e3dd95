package org.rtcsound.kubernetes;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;

/**
 * Clients of the Kubernetes API: from the kubeconfig file named by
 * {@code rtcsound.kubernetes.kubeconfig}, else the pod's service account (in-cluster).
 */
public final class KubernetesClients {

    public static final String KUBECONFIG = "rtcsound.kubernetes.kubeconfig";

    private KubernetesClients() {
    }

    public static ApiClient create(Optional<String> kubeconfig) throws IOException {
        ApiClient client;
        if (kubeconfig.isPresent() && !kubeconfig.get().isBlank()) {
            try (Reader reader = Files.newBufferedReader(Path.of(kubeconfig.get()))) {
                client = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(reader)).build();
            }
        } else {
            client = ClientBuilder.cluster().build();
        }
        // Watches stay open with nothing to say; the default read timeout would end them.
        client.setHttpClient(client.getHttpClient().newBuilder().readTimeout(Duration.ZERO).build());
        return client;
    }
}

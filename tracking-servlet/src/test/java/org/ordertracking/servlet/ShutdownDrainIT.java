package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The drain on JVM shutdown, in a real separate JVM ({@link DrainOnShutdownHost}) told to stop with
 * SIGTERM, as a process manager or Ctrl-C does: with the hook (the default) the customer's stream gets a
 * {@code retry:} and a clean end — the last chunk of its response — on Jetty and Tomcat alike; without
 * it, the same host's streams are cut, and the JDK client sees a truncated response.
 */
@Timeout(120)
@ParameterizedClass(name = "{0}")
@EnumSource(Container.class)
class ShutdownDrainIT {
    @Parameter
    Container container;

    private Process host;
    private final List<String> output = new CopyOnWriteArrayList<>();
    /** Completes when the host's output has been read to its end. */
    private final CompletableFuture<Void> outputEnded = new CompletableFuture<>();

    @AfterEach
    void stop() {
        if (host != null) {
            host.destroyForcibly();
        }
    }

    private URI start(boolean drainOnShutdown) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        host = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DrainOnShutdownHost.class.getName(), container.name(), Boolean.toString(drainOnShutdown))
                .redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(host.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                    if (line.startsWith("PORT ")) {
                        port.complete(Integer.parseInt(line.substring(5).trim()));
                    }
                }
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
            outputEnded.complete(null);
            port.completeExceptionally(new AssertionError("the host exited: " + output));
        }, "host-output");
        reader.setDaemon(true);
        reader.start();
        return URI.create("http://127.0.0.1:" + port.get(60, TimeUnit.SECONDS) + "/tracking/orders/sh-1/stream");
    }

    @Test
    void sigterm_withTheDefaultHook_endsTheOpenStreamWithRetryAndItsLastChunk() throws Exception {
        URI stream = start(true);
        HttpClient http = RecipeChecks.client();
        try (SseClient customer = SseClient.open(http, stream, Node.token(Role.CUSTOMER, "sh-1"), null)) {
            assertEquals(200, customer.status());
            customer.nextOfType("snapshot");
            host.destroy(); // SIGTERM: the JVM runs its shutdown hooks
            long retry = Long.parseLong(customer.nextOfType("retry").data());
            assertTrue(retry >= 0 && retry < 222 + 133, "the drain's retry, within a lead and a wave: " + retry);
            customer.awaitCleanEnd(Duration.ofSeconds(20));
        }
        assertTrue(host.waitFor(30, TimeUnit.SECONDS), "the host exits once drained: " + output);
        outputEnded.get(10, TimeUnit.SECONDS);
    }

    @Test
    void sigterm_withTheHookTurnedOff_cutsTheStream() throws Exception {
        URI stream = start(false);
        HttpClient http = RecipeChecks.client();
        try (SseClient customer = SseClient.open(http, stream, Node.token(Role.CUSTOMER, "sh-1"), null)) {
            customer.nextOfType("snapshot");
            host.destroy();
            assertTrue(host.waitFor(30, TimeUnit.SECONDS), "the host exits: " + output);
            ExecutionException cut = assertThrows(ExecutionException.class,
                    () -> customer.awaitCleanEnd(Duration.ofSeconds(20)));
            assertTrue(cut.getCause() instanceof java.io.IOException, cut.toString());
        }
    }
}

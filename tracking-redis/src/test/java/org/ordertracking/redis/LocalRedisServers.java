package org.ordertracking.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts and kills private {@code redis-server} processes for the outage and Cluster tests. Every
 * process it starts is killed by {@link #close()} and, should the JVM exit first, by a shutdown hook;
 * the temporary directory is removed on close.
 */
final class LocalRedisServers implements AutoCloseable {
    static final Path SERVER = binary("tracking.test.redisServer", "redis-server");
    static final Path CLI = binary("tracking.test.redisCli", "redis-cli");

    private final Path dir;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final Thread hook = new Thread(this::killAll, "kill-test-redis-servers");

    LocalRedisServers() {
        require(SERVER);
        require(CLI);
        try {
            dir = Files.createTempDirectory("tracking-redis-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The binary named by {@code property}, else the first {@code name} on the PATH, else /usr/bin/{@code name}. */
    private static Path binary(String property, String name) {
        String configured = System.getProperty(property);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return Path.of("/usr/bin", name);
    }

    private static void require(Path binary) {
        if (!Files.isExecutable(binary)) {
            throw new AssertionError(binary + " is required by this test but is missing: install redis-server"
                    + " (apt-get install redis-server) or point -Dtracking.test.redisServer / -Dtracking.test.redisCli at it");
        }
    }

    /**
     * Returns a TCP port free right now on the loopback interface, below the kernel's ephemeral range
     * (32768 and up), so an outgoing connection of another process cannot take it before the server
     * binds it.
     */
    static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        IOException last = null;
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = random.nextInt(20_000, 32_000);
            try (ServerSocket socket = new ServerSocket(candidate, 1, java.net.InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                last = e;
            }
        }
        throw new UncheckedIOException("found no free port in [20000, 32000)", last);
    }

    /** Starts a server on {@code port} and returns once it accepts connections. */
    Process start(int port, String... extraArgs) {
        Path workDir = dir.resolve("node-" + port);
        List<String> command = new ArrayList<>(List.of(SERVER.toString(), "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--dir", workDir.toString(), "--save", "", "--appendonly", "no", "--logfile", ""));
        command.addAll(List.of(extraArgs));
        try {
            Files.createDirectories(workDir);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            processes.add(process);
            awaitReady(process, port);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + SERVER, e);
        }
    }

    private static void awaitReady(Process process, int port) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        StringBuilder log = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    if (line.contains("Ready to accept connections")) {
                        ready.complete(null);
                    }
                }
                ready.completeExceptionally(new IllegalStateException("redis-server exited"));
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        }, "redis-server-" + port + "-log");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            synchronized (log) {
                throw new AssertionError("redis-server on port " + port + " did not become ready: " + e + "\n" + log, e);
            }
        }
    }

    /** Kills {@code process} at once (SIGKILL), like a crash or power cut, and waits for it to exit. */
    static void kill(Process process) {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("redis-server " + process.pid() + " did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs redis-cli with {@code args} and returns its output; fails if it exits non-zero. */
    String cli(Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add(CLI.toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("redis-cli " + args[0] + " timed out");
            }
            String text = output.get(5, TimeUnit.SECONDS);
            if (process.exitValue() != 0) {
                throw new AssertionError("redis-cli " + String.join(" ", args) + " failed:\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError("redis-cli " + String.join(" ", args) + " failed", e);
        }
    }

    private void killAll() {
        for (Process process : processes) {
            process.destroyForcibly();
        }
        for (Process process : processes) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

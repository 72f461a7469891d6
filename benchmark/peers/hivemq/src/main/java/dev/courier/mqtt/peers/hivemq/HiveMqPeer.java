package dev.courier.mqtt.peers.hivemq;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedHiveMQ;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * HiveMQ Community Edition, embedded, as a peer broker for {@code benchmark/compare.sh}.
 *
 * <p>Everything HiveMQ writes (configuration, data, extensions, home) lives in one temporary
 * folder that is deleted when the process ends. The embedded API allows every client (no
 * authenticator, no authorizer): the benchmark connects without credentials. Stdout carries only
 * {@code pid N} and {@code ready HOST:PORT}; HiveMQ's log goes to stderr.
 */
public final class HiveMqPeer {

    private static final int START_TIMEOUT_SECONDS = 120;

    private HiveMqPeer() {
    }

    /**
     * Starts the broker and waits for SIGTERM (or Ctrl-C); see {@link PeerOptions#USAGE}.
     *
     * @param args the command line
     * @throws Exception when the broker cannot start (exit code 1) or the command line is bad (2)
     */
    public static void main(String[] args) throws Exception {
        PeerOptions options;
        try {
            options = PeerOptions.parse(args, System.getenv());
        } catch (PeerOptions.UsageException e) {
            System.err.println("hivemq-peer: " + e.getMessage());
            System.err.println(PeerOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(PeerOptions.USAGE);
            return;
        }

        Path home = Files.createTempDirectory("hivemq-peer-");
        Path conf = Files.createDirectories(home.resolve("conf"));
        Path data = Files.createDirectories(home.resolve("data"));
        Path extensions = Files.createDirectories(home.resolve("extensions"));
        Files.writeString(conf.resolve("config.xml"), options.configXml(), StandardCharsets.UTF_8);
        try (InputStream logback = HiveMqPeer.class.getResourceAsStream("logback.xml")) {
            Files.copy(logback, conf.resolve("logback.xml"));
        }
        // before the first logger: HiveMQ's own logback.xml would log to stdout until it reads ours
        System.setProperty("logback.configurationFile", conf.resolve("logback.xml").toString());
        // HiveMQ resolves its home (and a log folder) from this property, else the jar's folder
        System.setProperty("hivemq.home", home.toString());
        // Internal limits that config.xml cannot set. The outbound QoS 1/2 window is otherwise 50
        // per client whatever the client's Receive Maximum; QoS 0 messages waiting for an
        // unwritable socket are otherwise dropped beyond 1000.
        InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES = options.inflight();
        InternalConfigurations.NOT_WRITABLE_QUEUE_SIZE.set(options.queue());

        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
            .withConfigurationFolder(conf)
            .withDataFolder(data)
            .withExtensionsFolder(extensions)
            .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                hivemq.close();
            } catch (Exception e) {
                System.err.println("hivemq-peer: stopping HiveMQ failed: " + e);
            } finally {
                deleteQuietly(options.pidFile());
                deleteTree(home);
                stopped.countDown();
            }
        }, "hivemq-peer-shutdown"));

        try {
            hivemq.start().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            probe(options);
        } catch (Exception e) {
            System.err.println("hivemq-peer: HiveMQ did not start: " + e);
            System.exit(1);
            return;
        }
        long pid = ProcessHandle.current().pid();
        if (options.pidFile() != null) {
            Files.writeString(options.pidFile(), pid + "\n", StandardCharsets.UTF_8);
        }
        System.out.println("pid " + pid);
        System.out.println("ready " + options.bind() + ":" + options.port() + " (HiveMQ CE, "
            + options.persistence() + ", inflight " + options.inflight() + ", queue "
            + options.queue() + ")");
        System.out.flush();
        stopped.await();
    }

    /** One TCP connect to the listener: start() has completed, so it must accept now. */
    private static void probe(PeerOptions options) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(options.bind(), options.port()), 5000);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            System.err.println("hivemq-peer: could not delete " + file + ": " + e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("hivemq-peer: could not delete " + root + ": " + e);
        }
    }
}

package dev.courier.mqtt.benchmark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Crash-recovery check for QoS 1 (driven by {@code benchmark/crash-test.sh}): every message whose PUBACK the
 * publisher got must reach the persistent subscriber, even when the broker is killed (kill -9) mid-stream and
 * restarted. Sub-commands:
 * <ul>
 *   <li>{@code probe}: connect (clean session) until the broker accepts, then disconnect;</li>
 *   <li>{@code subscribe-init}: create the persistent session (cleanSession=false, SUBSCRIBE at QoS 1),
 *       then disconnect cleanly;</li>
 *   <li>{@code publish}: publish QoS 1 sequence numbers until the connection is lost, recording every
 *       PUBACKed one, a line each, flushed at once;</li>
 *   <li>{@code drain}: resume the persistent session and record every delivered sequence number until
 *       the broker has been idle for a while;</li>
 *   <li>{@code compare}: acked versus received; exit 1 if an acked number is missing.</li>
 * </ul>
 * Files hold one decimal sequence number per line; lines starting with {@code #} are comments, and a
 * comment of the form {@code # sent=N ...} (written by {@code publish} when it ends) gives the sent count.
 * Exit codes: 0 fine, 1 loss, 2 bad usage, 3 could not run (no broker, I/O error).
 */
public final class CrashCheck {

    static final int OK = 0;
    static final int LOSS = 1;
    static final int USAGE = 2;
    static final int FAILED = 3;

    private CrashCheck() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println(usage());
            return args.length == 0 ? USAGE : OK;
        }
        Options o;
        try {
            o = Options.parse(args, 1);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(usage());
            return USAGE;
        }
        try {
            switch (args[0]) {
                case "probe":
                    return probe(o, out, err);
                case "subscribe-init":
                    return subscribeInit(o, out, err);
                case "publish":
                    return publish(o, out, err);
                case "drain":
                    return drain(o, out, err);
                case "compare":
                    return compare(o, out);
                default:
                    err.println("error: unknown sub-command " + args[0]);
                    err.println(usage());
                    return USAGE;
            }
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(usage());
            return USAGE;
        } catch (IOException | UncheckedIOException e) {
            err.println("error: " + e);
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
            return FAILED;
        }
    }

    static String usage() {
        return String.join("\n",
            "usage: java -cp courier-mqtt-benchmark.jar dev.courier.mqtt.benchmark.CrashCheck <sub-command> [options]",
            "  probe          --port P [--host H] [--wait-seconds 120]",
            "  subscribe-init --port P --client-id ID --topic T [--host H] [--wait-seconds 0]",
            "  publish        --port P --client-id ID --topic T --out FILE [--rate 0] [--max-inflight 1000]",
            "                 [--host H] [--max-seconds 600] [--reconnect true]",
            "  drain          --port P --client-id ID --out FILE [--idle-seconds 10] [--wait-seconds 120] [--host H]",
            "  compare        --acked FILE --received FILE",
            "--rate 0 publishes as fast as the in-flight window allows. --reconnect: connect (again) whenever the",
            "connection is refused or lost, until --max-seconds, with one sequence. Exit: 0 fine, 1 loss (compare),",
            "2 bad usage, 3 could not run.");
    }

    // ---------------------------------------------------------------- probe / subscribe-init

    private static int probe(Options o, PrintStream out, PrintStream err) throws InterruptedException {
        String id = "crashprobe" + Long.toHexString(System.nanoTime() & 0xffffffffL);
        MqttAsyncClient client = connectWithRetry(o.uri(), id, true, o.seconds("wait-seconds", 120), null, err);
        if (client == null) {
            return FAILED;
        }
        disconnect(client, err);
        out.println("probe: connected to " + o.uri());
        return OK;
    }

    private static int subscribeInit(Options o, PrintStream out, PrintStream err) throws InterruptedException {
        String id = o.required("client-id");
        String topic = o.required("topic");
        MqttAsyncClient client = connectWithRetry(o.uri(), id, false, o.seconds("wait-seconds", 0), null, err);
        if (client == null) {
            return FAILED;
        }
        try {
            IMqttToken sub = client.subscribe(topic, 1);
            sub.waitForCompletion(15_000);
            int[] granted = sub.getGrantedQos();
            if (granted == null || granted.length != 1 || granted[0] != 1) {
                err.println("subscribe-init: SUBSCRIBE " + topic + " not granted at QoS 1: "
                    + (granted == null ? "none" : java.util.Arrays.toString(granted)));
                disconnect(client, err);
                return FAILED;
            }
        } catch (MqttException e) {
            err.println("subscribe-init: SUBSCRIBE failed: " + e);
            disconnect(client, err);
            return FAILED;
        }
        disconnect(client, err);
        out.printf(Locale.ROOT, "subscribe-init: persistent session %s subscribed to %s at QoS 1%n", id, topic);
        return OK;
    }

    // ---------------------------------------------------------------- publish

    private static int publish(Options o, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        String id = o.required("client-id");
        String topic = o.required("topic");
        Path file = Paths.get(o.required("out"));
        double rate = o.decimal("rate", 0);
        int window = o.integer("max-inflight", 1000);
        long maxSeconds = o.seconds("max-seconds", 600);
        boolean reconnect = o.bool("reconnect");
        if (window < 1 || rate < 0) {
            throw new IllegalArgumentException("--max-inflight must be positive and --rate not negative");
        }
        long start = System.nanoTime();
        // --max-seconds 0: no limit (a year)
        long deadline = start + (maxSeconds == 0 ? TimeUnit.DAYS.toNanos(365) : TimeUnit.SECONDS.toNanos(maxSeconds));
        Stream stream = new Stream(topic, window, rate, start);
        try (BufferedWriter log = Files.newBufferedWriter(file, StandardCharsets.US_ASCII,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            log.write("# publish client-id=" + id + " topic=" + topic + " uri=" + o.uri() + "\n");
            log.flush();
            String stop;
            int connections = 0;
            while (true) {
                // --reconnect: keep trying (a broker booting or stopping refuses connections meanwhile)
                long wait = reconnect ? Math.max(0, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime())) : 0;
                MqttAsyncClient client = connect(o.uri(), id, window, wait, stream, err);
                if (client == null) {
                    stop = connections == 0 ? "cannot connect" : "--max-seconds reached while reconnecting";
                    if (connections == 0) {
                        err.println("publish: cannot connect to " + o.uri());
                        return FAILED;
                    }
                    break;
                }
                connections++;
                stop = stream.run(client, log, deadline, err);
                stream.settle();
                if (!stream.lost.get()) {
                    disconnect(client, err);
                }
                closeQuietly(client);
                if (!reconnect || !stop.equals("connection lost") || System.nanoTime() - deadline >= 0) {
                    break;
                }
                err.println("publish: reconnecting");
            }
            String summary = String.format(Locale.ROOT, "sent=%d acked=%d failed=%d connections=%d stop=%s",
                stream.sent, stream.acked.get(), stream.failed.get(), connections, stop.replace('\n', ' '));
            synchronized (log) {
                log.write("# " + summary + "\n");
                log.flush();
            }
            out.println("publish: " + summary);
        }
        return OK;
    }

    /** Connects for publishing, trying every 100 ms for {@code waitSeconds}; null if that failed. */
    private static MqttAsyncClient connect(String uri, String id, int window, long waitSeconds, Stream stream,
            PrintStream err) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        while (true) {
            MqttAsyncClient client = null;
            try {
                client = new MqttAsyncClient(uri, id, new MemoryPersistence());
                stream.lost.set(false);
                client.setCallback(stream);
                MqttConnectOptions options = connectOptions(true);
                // Paho refuses a publish beyond maxInflight; the stream's semaphore keeps us under it with room
                // to spare (Paho frees its slot only after the completion callback has run).
                options.setMaxInflight(window * 2);
                options.setConnectionTimeout(5);
                client.connect(options).waitForCompletion(15_000);
                return client;
            } catch (MqttException e) {
                if (client != null) {
                    closeQuietly(client);
                }
                if (System.nanoTime() - until >= 0) {
                    err.println("publish: cannot connect to " + uri + ": " + e);
                    return null;
                }
                Thread.sleep(100); // the retry pace of a client, not a wait for a condition
            }
        }
    }

    /**
     * A stream of QoS 1 publications with one sequence across reconnections: each PUBACKed sequence number is
     * written to the log, flushed, before anything else, so a crash loses no record of an acknowledgement.
     */
    private static final class Stream implements MqttCallback {
        private final String topic;
        private final int window;
        private final double rate;
        private final long start;
        private final Semaphore inFlight;
        final AtomicBoolean lost = new AtomicBoolean();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        long sent;
        private long seq;

        Stream(String topic, int window, double rate, long start) {
            this.topic = topic;
            this.window = window;
            this.rate = rate;
            this.start = start;
            this.inFlight = new Semaphore(window);
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost.set(true);
        }

        @Override
        public void messageArrived(String t, MqttMessage message) {
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }

        /** Publishes until the connection is lost or the deadline passes; returns why it stopped. */
        String run(MqttAsyncClient client, BufferedWriter log, long deadline, PrintStream err)
                throws InterruptedException {
            IMqttActionListener listener = new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    try {
                        synchronized (log) {
                            log.write(Long.toString((Long) token.getUserContext()));
                            log.write('\n');
                            log.flush();
                        }
                        acked.incrementAndGet();
                    } catch (IOException e) {
                        err.println("publish: cannot record an ack: " + e);
                        lost.set(true);
                    } finally {
                        inFlight.release();
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    failed.incrementAndGet();
                    inFlight.release();
                }
            };
            long lastReport = System.nanoTime();
            while (true) {
                if (lost.get()) {
                    return "connection lost";
                }
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    return "--max-seconds reached";
                }
                if (now - lastReport >= TimeUnit.SECONDS.toNanos(1)) {
                    err.printf(Locale.ROOT, "publish: sent=%d acked=%d%n", sent, acked.get());
                    lastReport = now;
                }
                if (rate > 0) {
                    long due = start + (long) (seq * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(Math.min(wait, 100_000_000L));
                        continue;
                    }
                }
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                long next = seq + 1;
                MqttMessage message = new MqttMessage(Long.toString(next).getBytes(StandardCharsets.US_ASCII));
                message.setQos(1);
                try {
                    client.publish(topic, message, next, listener);
                    seq = next;
                    sent++;
                } catch (MqttException e) {
                    inFlight.release();
                    if (e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT) {
                        LockSupport.parkNanos(1_000_000L);  // Paho has not freed the slot yet: retry
                        continue;
                    }
                    boolean disconnected = lost.get()
                        || e.getReasonCode() == MqttException.REASON_CODE_CLIENT_NOT_CONNECTED
                        || e.getReasonCode() == MqttException.REASON_CODE_CONNECTION_LOST;
                    lost.set(true);
                    return disconnected ? "connection lost" : "publish refused: " + e;
                }
            }
        }

        /** Lets Paho settle the outstanding tokens (acked before a loss, or failed by it). */
        void settle() throws InterruptedException {
            if (inFlight.tryAcquire(window, 10, TimeUnit.SECONDS)) {
                inFlight.release(window);
            }
        }
    }

    // ---------------------------------------------------------------- drain

    private static int drain(Options o, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        String id = o.required("client-id");
        Path file = Paths.get(o.required("out"));
        long idleNanos = TimeUnit.SECONDS.toNanos(o.seconds("idle-seconds", 10));
        AtomicLong received = new AtomicLong();
        AtomicLong invalid = new AtomicLong();
        AtomicLong lastArrival = new AtomicLong(System.nanoTime());
        AtomicBoolean lost = new AtomicBoolean();
        try (BufferedWriter log = Files.newBufferedWriter(file, StandardCharsets.US_ASCII,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            log.write("# drain client-id=" + id + " uri=" + o.uri() + "\n");
            log.flush();
            MqttCallback callback = new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    lost.set(true);
                    err.println("drain: connection lost: " + cause);
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) throws IOException {
                    // recorded before returning, that is before Paho sends the PUBACK
                    String text = new String(message.getPayload(), StandardCharsets.US_ASCII).trim();
                    synchronized (log) {
                        if (text.matches("[0-9]{1,18}")) {
                            log.write(text);
                        } else {
                            invalid.incrementAndGet();
                            log.write("# not a sequence number on " + topic + ": " + text.replace('\n', ' '));
                        }
                        log.write('\n');
                        log.flush();
                    }
                    received.incrementAndGet();
                    lastArrival.set(System.nanoTime());
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            };
            MqttAsyncClient client = connectWithRetry(o.uri(), id, false, o.seconds("wait-seconds", 120),
                callback, err);
            if (client == null) {
                return FAILED;
            }
            lastArrival.set(System.nanoTime());
            long lastReport = System.nanoTime();
            while (!lost.get() && System.nanoTime() - lastArrival.get() < idleNanos) {
                Thread.sleep(100);
                if (System.nanoTime() - lastReport >= TimeUnit.SECONDS.toNanos(1)) {
                    err.printf(Locale.ROOT, "drain: received=%d%n", received.get());
                    lastReport = System.nanoTime();
                }
            }
            if (!lost.get()) {
                disconnect(client, err);
            }
            closeQuietly(client);
            String summary = String.format(Locale.ROOT, "received=%d invalid=%d stop=%s", received.get(),
                invalid.get(), lost.get() ? "connection lost" : "idle");
            synchronized (log) {
                log.write("# " + summary + "\n");
                log.flush();
            }
            out.println("drain: " + summary);
            return lost.get() ? FAILED : OK;
        }
    }

    // ---------------------------------------------------------------- compare

    private static int compare(Options o, PrintStream out) throws IOException {
        List<String> acked = Files.readAllLines(Paths.get(o.required("acked")), StandardCharsets.US_ASCII);
        List<String> received = Files.readAllLines(Paths.get(o.required("received")), StandardCharsets.US_ASCII);
        Comparison c = Comparison.of(acked, received);
        out.println(c.summary());
        if (!c.missingSample.isEmpty()) {
            out.println("first missing: " + c.missingSample);
        }
        return c.lossy() ? LOSS : OK;
    }

    /** Acked versus received sequence numbers. */
    static final class Comparison {
        /** -1 when the acked file has no {@code # sent=N} line. */
        final long sent;
        final long acked;
        final long received;
        final long distinct;
        final long missing;
        /** received but never acked: allowed (the PUBACK may have been lost in the crash). */
        final long unacked;
        /** up to 20 missing numbers, ascending. */
        final List<Long> missingSample;

        private Comparison(long sent, long acked, long received, long distinct, long missing, long unacked,
                List<Long> missingSample) {
            this.sent = sent;
            this.acked = acked;
            this.received = received;
            this.distinct = distinct;
            this.missing = missing;
            this.unacked = unacked;
            this.missingSample = missingSample;
        }

        long duplicates() {
            return received - distinct;
        }

        boolean lossy() {
            return missing > 0;
        }

        String summary() {
            return String.format(Locale.ROOT,
                "sent=%s acked=%d received=%d (distinct %d, duplicates %d) missing=%d unacked-received=%d",
                sent < 0 ? "unknown" : Long.toString(sent), acked, received, distinct, duplicates(), missing,
                unacked);
        }

        /** Compares the lines of an acked file with those of a received file. */
        static Comparison of(List<String> ackedLines, List<String> receivedLines) {
            long sent = -1;
            SequenceTracker acked = new SequenceTracker();
            long maxAcked = -1;
            for (String raw : ackedLines) {
                String line = raw.trim();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("#")) {
                    long s = sentOf(line);
                    if (s >= 0) {
                        sent = s;
                    }
                    continue;
                }
                long seq = parse(line);
                acked.add(seq);
                maxAcked = Math.max(maxAcked, seq);
            }
            SequenceTracker got = new SequenceTracker();
            long received = 0;
            long unacked = 0;
            for (String raw : receivedLines) {
                String line = raw.trim();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                long seq = parse(line);
                received++;
                if (got.add(seq) && !acked.contains(seq)) {
                    unacked++;
                }
            }
            long missing = 0;
            List<Long> sample = new ArrayList<>();
            for (long seq = 0; seq <= maxAcked; seq++) {
                if (acked.contains(seq) && !got.contains(seq)) {
                    missing++;
                    if (sample.size() < 20) {
                        sample.add(seq);
                    }
                }
            }
            return new Comparison(sent, acked.unique(), received, got.unique(), missing, unacked, sample);
        }

        private static long sentOf(String comment) {
            for (String word : comment.substring(1).trim().split("\\s+")) {
                if (word.startsWith("sent=")) {
                    try {
                        return Long.parseLong(word.substring(5));
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
            return -1;
        }

        private static long parse(String line) {
            try {
                long seq = Long.parseLong(line);
                if (seq < 0) {
                    throw new NumberFormatException();
                }
                return seq;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a sequence number: '" + line + "'");
            }
        }
    }

    // ---------------------------------------------------------------- MQTT helpers

    private static MqttConnectOptions connectOptions(boolean cleanSession) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(cleanSession);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout(10);
        return options;
    }

    /**
     * Connects, trying again every 500 ms until {@code waitSeconds} have passed (0: one attempt). The callback,
     * if any, is set before CONNECT, so that messages of a resumed session are not missed. Null on failure.
     */
    private static MqttAsyncClient connectWithRetry(String uri, String clientId, boolean cleanSession,
            long waitSeconds, MqttCallback callback, PrintStream err) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        MqttException last = null;
        int attempts = 0;
        do {
            attempts++;
            MqttAsyncClient client = null;
            try {
                client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
                if (callback != null) {
                    client.setCallback(callback);
                }
                IMqttToken token = client.connect(connectOptions(cleanSession));
                token.waitForCompletion(15_000);
                if (!cleanSession) {
                    err.printf(Locale.ROOT, "%s: connected after %d attempt(s), sessionPresent=%s%n", clientId,
                        attempts, token.getSessionPresent());
                }
                return client;
            } catch (MqttException e) {
                last = e;
                if (client != null) {
                    closeQuietly(client);
                }
            }
            if (System.nanoTime() - deadline < 0) {
                Thread.sleep(500);
            }
        } while (System.nanoTime() - deadline < 0);
        err.printf(Locale.ROOT, "%s: cannot connect to %s after %d attempt(s): %s%n", clientId, uri, attempts, last);
        return null;
    }

    private static void disconnect(MqttAsyncClient client, PrintStream err) {
        try {
            client.disconnect(5_000).waitForCompletion(10_000);
        } catch (MqttException e) {
            err.println("disconnect: " + e);
        }
    }

    private static void closeQuietly(MqttAsyncClient client) {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1_000);
            }
            client.close();
        } catch (MqttException e) {
            // closing anyway
        }
    }

    // ---------------------------------------------------------------- options

    /** {@code --key value} pairs. */
    static final class Options {
        private final Map<String, String> values;

        private Options(Map<String, String> values) {
            this.values = values;
        }

        static Options parse(String[] args, int from) {
            Map<String, String> values = new HashMap<>();
            for (int i = from; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--") || a.length() < 3) {
                    throw new IllegalArgumentException("unexpected argument " + a);
                }
                String key = a.substring(2);
                String value;
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    value = key.substring(eq + 1);
                    key = key.substring(0, eq);
                } else {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("missing value for " + a);
                    }
                    value = args[++i];
                }
                values.put(key, value);
            }
            return new Options(values);
        }

        String required(String key) {
            String v = values.get(key);
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException("--" + key + " is required");
            }
            return v;
        }

        String uri() {
            return "tcp://" + values.getOrDefault("host", "127.0.0.1") + ":" + integer("port", 1883);
        }

        int integer(String key, int dflt) {
            String v = values.get(key);
            try {
                return v == null ? dflt : Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + key + ": not an integer: " + v);
            }
        }

        long seconds(String key, long dflt) {
            long s = integer(key, (int) dflt);
            if (s < 0) {
                throw new IllegalArgumentException("--" + key + " must not be negative");
            }
            return s;
        }

        boolean bool(String key) {
            String v = values.getOrDefault(key, "false");
            if (!v.equals("true") && !v.equals("false")) {
                throw new IllegalArgumentException("--" + key + ": not true or false: " + v);
            }
            return v.equals("true");
        }

        double decimal(String key, double dflt) {
            String v = values.get(key);
            try {
                return v == null ? dflt : Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + key + ": not a number: " + v);
            }
        }
    }
}

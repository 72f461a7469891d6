package dev.courier.mqtt.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Command-line options. Parsing is strict: unknown options and bad values raise {@link IllegalArgumentException}. */
public final class BenchmarkOptions {

    public enum Format { TABLE, CSV, JSON }

    /** Duration cap used when only --messages is given. */
    static final double COUNT_MODE_CAP_SECONDS = 120;

    private static final Set<String> VALUE_OPTIONS = Set.of("host", "port", "username", "password", "qos", "mqtt", "scenarios", "scenario",
        "messages", "duration", "payload", "inflight", "warmup", "drain", "clients", "threads", "batch", "rate",
        "keepalive", "connect-timeout", "e2e-window", "broker-pid", "connect-inflight",
        "source-addresses", "hold", "storm-messages", "connect-warmup");
    /**
     * Largest --clients of the throughput scenarios (each fan-out subscriber keeps 64 KiB of QoS 2
     * state).
     */
    static final int MAX_THROUGHPUT_CLIENTS = 10_000;
    /**
     * Largest --clients of the connection scenarios; the file-descriptor limit usually bites first.
     */
    static final int MAX_CLIENTS = 1_000_000;

    String host = "127.0.0.1";
    int port = 1883;
    List<Integer> qos = List.of(0, 1, 2);
    List<ProtocolVersion> mqtt = List.of(ProtocolVersion.V3_1_1);
    List<Scenario> scenarios = List.of(Scenario.ONE_TO_ONE, Scenario.FAN_IN, Scenario.FAN_OUT);
    long messages = 0;              // per publisher; 0 = unlimited (duration bound only)
    double durationSeconds = 10;
    boolean durationGiven;
    int payload = 64;
    int inflight = 64;
    double warmupSeconds = 2;
    double drainSeconds = 10;
    int clients = 100;
    int threads = 2;
    int batch = 64;
    long rate = 0;                  // total msgs/s per case over all publishers; 0 = as fast as possible
    int keepAlive = 60;
    double connectTimeoutSeconds = 15;
    Format format = Format.TABLE;
    boolean help;
    boolean nettyEncoder;
    boolean persistentSubscribers;
    String username;
    String password;
    int e2eWindow = 1000;           // end-to-end flow control shared by a case; 0 = off (open loop)
    long brokerPid;                 // 0 = do not measure the broker
    boolean subscribe;              // connections: one SUBSCRIBE per connection
    int connectInflight = 500;      // connection scenarios: connects without CONNACK at a time
    int connectWarmup = 2000;       // connections: opened and closed before the measured connects
    int sourceAddresses = 1;        // bind 127.0.0.1 .. 127.0.0.k; 1 = the kernel chooses
    double holdSeconds;             // connections: keep them open this long after connecting
    int stormMessages = 1;          // reconnect-storm: messages queued per client while it is away

    public static BenchmarkOptions parse(String... args) {
        BenchmarkOptions o = new BenchmarkOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name;
            String value = null;
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else {
                name = arg.substring(2);
            }
            switch (name) {
                case "help":
                    o.help = true;
                    continue;
                case "csv":
                    o.format = Format.CSV;
                    continue;
                case "json":
                    o.format = Format.JSON;
                    continue;
                case "netty-encoder":
                    o.nettyEncoder = true;
                    continue;
                case "persistent":
                    o.persistentSubscribers = true;
                    continue;
                case "subscribe":
                    o.subscribe = true;
                    continue;
                default:
                    break;
            }
            if (!VALUE_OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            switch (name) {
                case "host": o.host = value; break;
                case "port": o.port = intIn(name, value, 1, 65535); break;
                case "qos": o.qos = parseQos(value); break;
                case "mqtt": o.mqtt = parseVersions(value); break;
                case "scenarios":
                case "scenario": o.scenarios = parseScenarios(value); break;
                case "messages": o.messages = longIn(name, value, 1, 1L << 34); break;
                case "duration":
                    o.durationSeconds = seconds(name, value, 0.1);
                    o.durationGiven = true;
                    break;
                case "payload": o.payload = intIn(name, value, Payload.HEADER_SIZE, 16 * 1024 * 1024); break;
                case "inflight": o.inflight = intIn(name, value, 1, 65535); break;
                case "warmup": o.warmupSeconds = seconds(name, value, 0); break;
                case "drain": o.drainSeconds = seconds(name, value, 0); break;
                case "clients": o.clients = intIn(name, value, 1, MAX_CLIENTS); break;
                case "threads": o.threads = intIn(name, value, 1, 64); break;
                case "e2e-window": o.e2eWindow = intIn(name, value, 0, 10_000_000); break;
                case "batch": o.batch = intIn(name, value, 1, 65535); break;
                case "rate": o.rate = longIn(name, value, 0, Long.MAX_VALUE); break;
                case "keepalive": o.keepAlive = intIn(name, value, 5, 65535); break;
                case "username": o.username = value; break;
                case "password": o.password = value; break;
                case "connect-timeout": o.connectTimeoutSeconds = seconds(name, value, 1); break;
                case "broker-pid": o.brokerPid = longIn(name, value, 1, Integer.MAX_VALUE); break;
                case "connect-inflight": o.connectInflight = intIn(name, value, 1, 100_000); break;
                case "source-addresses": o.sourceAddresses = intIn(name, value, 1, 254); break;
                case "connect-warmup": o.connectWarmup = intIn(name, value, 0, 100_000); break;
                case "hold": o.holdSeconds = seconds(name, value, 0); break;
                case "storm-messages": o.stormMessages = intIn(name, value, 1, 100_000); break;
                default: throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        o.checkCombinations();
        return o;
    }

    /** The rules between options; each message names the options involved. */
    private void checkCombinations() {
        if (clients > MAX_THROUGHPUT_CLIENTS) {
            for (Scenario s : scenarios) {
                if (s.throughput()) {
                    throw new IllegalArgumentException("--clients above "
                        + MAX_THROUGHPUT_CLIENTS + " is only for the connections and"
                        + " reconnect-storm scenarios, not " + s.label());
                }
            }
        }
        if (sourceAddresses > 1 && !isLoopbackLiteral(host)) {
            throw new IllegalArgumentException("--source-addresses " + sourceAddresses
                + " binds 127.0.0.x: --host must be a 127.x.x.x address or localhost, not '"
                + host + "'");
        }
    }

    private static boolean isLoopbackLiteral(String host) {
        return host.startsWith("127.") || host.equalsIgnoreCase("localhost");
    }

    /** Effective measuring time bound per case in seconds. */
    public double effectiveDurationSeconds() {
        if (messages > 0 && !durationGiven) {
            return COUNT_MODE_CAP_SECONDS;
        }
        return durationSeconds;
    }

    static List<Integer> parseQos(String value) {
        Set<Integer> out = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int q = intIn("qos", p, 0, 2);
            out.add(q);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--qos needs at least one of 0,1,2");
        }
        return new ArrayList<>(out);
    }

    static List<ProtocolVersion> parseVersions(String value) {
        Set<ProtocolVersion> out = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                out.add(ProtocolVersion.parse(part));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--mqtt needs 3.1.1, 5 or 3.1.1,5");
        }
        return new ArrayList<>(out);
    }

    static List<Scenario> parseScenarios(String value) {
        Set<Scenario> out = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            if (part.trim().equalsIgnoreCase("all")) {
                // the throughput scenarios; the connection scenarios are only run when named
                out.add(Scenario.ONE_TO_ONE);
                out.add(Scenario.FAN_IN);
                out.add(Scenario.FAN_OUT);
            } else {
                out.add(Scenario.parse(part));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--scenarios needs at least one scenario");
        }
        return new ArrayList<>(out);
    }

    /** Accepts "10", "2.5", "10s", "500ms", "1m". */
    static double seconds(String name, String value, double min) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        double factor = 1;
        if (v.endsWith("ms")) {
            factor = 0.001;
            v = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            v = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            factor = 60;
            v = v.substring(0, v.length() - 1);
        }
        double d;
        try {
            d = Double.parseDouble(v) * factor;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": not a duration: '" + value + "'");
        }
        if (!(d >= min) || d > 86400) {
            throw new IllegalArgumentException("--" + name + ": must be between " + min + " s and 1 day");
        }
        return d;
    }

    static int intIn(String name, String value, int min, int max) {
        return (int) longIn(name, value, min, max);
    }

    static long longIn(String name, String value, long min, long max) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace("_", "");
        long mul = 1;
        if (v.endsWith("k")) {
            mul = 1_000;
            v = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            mul = 1_000_000;
            v = v.substring(0, v.length() - 1);
        }
        long n;
        try {
            n = Math.multiplyExact(Long.parseLong(v), mul);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("--" + name + ": not a number: '" + value + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("--" + name + ": must be between " + min + " and " + max);
        }
        return n;
    }

    public static String usage() {
        return String.join("\n",
            "Usage: run.sh [options]   (or: java -jar courier-mqtt-benchmark.jar [options])",
            "",
            "Load generator for a running MQTT 3.1.1 / 5.0 broker. Starts no broker itself.",
            "",
            "  --host HOST          broker host (default 127.0.0.1)",
            "  --port PORT          broker port (default 1883)",
            "  --qos LIST           QoS levels to run, e.g. 0,1,2 (default 0,1,2)",
            "  --mqtt LIST          MQTT version(s): 3.1.1, 5 or 3.1.1,5 (default 3.1.1). With both, every case",
            "                       runs in each version in adjacent rows and the table gains the ratio",
            "                       5.0 recv msg/s / 3.1.1 recv msg/s",
            "  --scenarios LIST     one-to-one,fan-in,fan-out (or all: these three, the default),",
            "                       connections, reconnect-storm",
            "  --clients N          fan-in publishers / fan-out subscribers (default 100, at",
            "                       most " + MAX_THROUGHPUT_CLIENTS + "); the connections of"
                + " connections / reconnect-storm",
            "                       (at most " + MAX_CLIENTS + ", and below ulimit -n)",
            "  --messages N         messages per publisher per case (default: unlimited, time bound)",
            "  --duration T         measuring time per case, e.g. 10, 10s, 500ms (default 10 s;",
            "                       with --messages alone the cap is " + (int) COUNT_MODE_CAP_SECONDS + " s)",
            "  --payload BYTES      payload size, >= " + Payload.HEADER_SIZE + " (default 64)",
            "  --inflight N         per-publisher in-flight window for QoS 1/2 (default 64)",
            "  --warmup T           warm-up per case, not counted (default 2 s, 0 = none)",
            "  --drain T            max wait for outstanding messages after publishing (default 10 s)",
            "  --rate N             target total publish rate per case in msgs/s (default 0 = flat out)",
            "  --e2e-window N       closed loop: at most N deliveries published but not yet received, shared",
            "                       by all publishers of a case (default 1000; 0 = open loop, publish as fast",
            "                       as the broker accepts, which lets a broker queue without bound)",
            "  --threads N          Netty event-loop threads (default 2)",
            "  --batch N            max messages written per flush (default 64)",
            "  --keepalive S        MQTT keep-alive seconds (default 60)",
            "  --connect-timeout T  time allowed to connect and subscribe all clients (default 15 s)",
            "  --csv | --json       machine-readable output on stdout instead of the table",
            "  --netty-encoder      encode every packet with Netty's MqttEncoder instead of the fast path",
            "                       (pre-encoded PUBLISH, gathered acks); slower, for cross-checking",
            "  --username U         MQTT user name for every client (and --password P)",
            "  --persistent         subscribers keep a persistent session, so a persistent broker stores QoS 1/2",
            "                       messages durably for them: 3.1.1 cleanSession=false (the sessions stay on the",
            "                       broker); 5.0 Session Expiry Interval " + ProtocolVersion.PERSISTENT_SESSION_EXPIRY_SECONDS
                + " s, set to 0 by the DISCONNECT at the end",
            "  --broker-pid PID     also report the broker's CPU (% of one core, us per",
            "                       message or connection) and RSS from /proc/PID; the",
            "                       connection scenarios also run jcmd PID GC.run and",
            "                       GC.heap_info (JVM brokers) for heap and RSS per connection",
            "  --connect-inflight N connection scenarios: connects awaiting CONNACK at a time",
            "                       (default 500)",
            "  --source-addresses K bind 127.0.0.1..127.0.0.K round robin, for more than ~28k",
            "                       connections to one broker port (default 1: kernel's choice)",
            "  --subscribe          connections: each SUBSCRIBEs (QoS 1) to a topic of its own",
            "  --hold T             connections: keep them open for T (PINGREQ per keep-alive)",
            "  --connect-warmup N   connections: first open and close N clients (at most --clients),",
            "                       so that neither JVM is measured cold (default 2000; 0: none)",
            "  --storm-messages M   reconnect-storm: QoS 1 messages queued per client while it",
            "                       is away (default 1)",
            "  --help               this text",
            "",
            "Exit code: 0 ok; 1 QoS 1/2 messages lost or QoS 2 duplicated, a case failed, a",
            "connection failed or was dropped, or a session was lost; 2 bad usage.");
    }

    // accessors used by the runner and the report
    public String host() { return host; }
    public int port() { return port; }
    public List<Integer> qos() { return qos; }
    public List<ProtocolVersion> mqtt() { return mqtt; }
    public List<Scenario> scenarios() { return scenarios; }
    public long messages() { return messages; }
    public int payload() { return payload; }
    public int inflight() { return inflight; }
    public double warmupSeconds() { return warmupSeconds; }
    public double drainSeconds() { return drainSeconds; }
    public int clients() { return clients; }
    public int threads() { return threads; }
    public int batch() { return batch; }
    public long rate() { return rate; }
    public int keepAlive() { return keepAlive; }
    public double connectTimeoutSeconds() { return connectTimeoutSeconds; }
    public Format format() { return format; }
    public boolean help() { return help; }
    public boolean nettyEncoder() { return nettyEncoder; }
    public boolean persistentSubscribers() { return persistentSubscribers; }
    public String username() { return username; }
    public String password() { return password; }
    public int e2eWindow() { return e2eWindow; }
    public long brokerPid() { return brokerPid; }
    public boolean subscribe() { return subscribe; }
    public int connectInflight() { return connectInflight; }
    public int connectWarmup() { return connectWarmup; }
    public int sourceAddresses() { return sourceAddresses; }
    public double holdSeconds() { return holdSeconds; }
    public int stormMessages() { return stormMessages; }
}

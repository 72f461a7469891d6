package dev.courier.mqtt.peers.hivemq;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The command line of {@link HiveMqPeer}, validated once.
 *
 * @param bind        listener address
 * @param port        listener port
 * @param inflight    QoS 1/2 messages in flight per client, both ways (Courier's
 *                    maxInflightMessages)
 * @param queue       messages queued per client beyond the window (Courier: maxQueuedMessages)
 * @param persistence {@code in-memory} or {@code file} (then in the temporary data folder)
 * @param pidFile     where to write the process id once ready, or {@code null}
 */
record PeerOptions(
    String bind, int port, int inflight, int queue, String persistence, Path pidFile) {

    static final String USAGE = String.join("\n",
        "Usage: java -jar hivemq-peer.jar [PORT] [options]",
        "",
        "Starts HiveMQ CE embedded for benchmark/compare.sh; prints 'pid N' and",
        "'ready HOST:PORT' on stdout once the listener accepts connections, logs to stderr, stops",
        "on SIGTERM / Ctrl-C and deletes its temporary folders.",
        "",
        "  PORT, --port N      TCP listener port (default: $HIVEMQ_PEER_PORT, else 1885)",
        "  --bind ADDR         listener address (default 127.0.0.1)",
        "  --inflight N        QoS 1/2 in-flight window per client: outbound, and the Receive",
        "                      Maximum granted to 5.0 publishers (default 64, as Courier's",
        "                      maxInflightMessages)",
        "  --queue N           messages queued per client (default 10000, as Courier's",
        "                      maxQueuedMessages)",
        "  --persistence MODE  in-memory (default) or file (in the temporary data folder)",
        "  --pid-file PATH     write the process id there once ready (removed at exit)",
        "  --help              this text");

    /** Thrown for a command line that cannot be used; the message says why. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Reads the command line; {@code env} supplies {@code HIVEMQ_PEER_PORT}.
     *
     * @return the options, or {@code null} when {@code --help} was asked for
     * @throws UsageException on an unknown option or a value out of range
     */
    static PeerOptions parse(String[] args, Map<String, String> env) throws UsageException {
        String bind = "127.0.0.1";
        String portText = env.getOrDefault("HIVEMQ_PEER_PORT", "1885");
        String inflightText = "64";
        String queueText = "10000";
        String persistence = "in-memory";
        Path pidFile = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help":
                case "-h":
                    return null;
                case "--port":
                    portText = value(args, ++i, arg);
                    break;
                case "--bind":
                    bind = value(args, ++i, arg);
                    break;
                case "--inflight":
                    inflightText = value(args, ++i, arg);
                    break;
                case "--queue":
                    queueText = value(args, ++i, arg);
                    break;
                case "--persistence":
                    persistence = value(args, ++i, arg).toLowerCase(Locale.ROOT);
                    break;
                case "--pid-file":
                    pidFile = Path.of(value(args, ++i, arg));
                    break;
                default:
                    if (arg.startsWith("-")) {
                        throw new UsageException("unknown option " + arg);
                    }
                    portText = arg;
            }
        }
        if (!persistence.equals("in-memory") && !persistence.equals("file")) {
            throw new UsageException("--persistence must be in-memory or file, not " + persistence);
        }
        return new PeerOptions(bind, number(portText, "port", 1, 65535),
            number(inflightText, "--inflight", 1, 65535),
            number(queueText, "--queue", 1, Integer.MAX_VALUE), persistence, pidFile);
    }

    /** The HiveMQ config.xml for these options (schema: config.xsd in the HiveMQ jar). */
    String configXml() {
        // Courier's shipped values where HiveMQ's defaults differ: server-receive-maximum
        // (HiveMQ 10), max-queue-size (HiveMQ 1000), topic alias max-per-client (HiveMQ 5),
        // max-packet-size (HiveMQ 256 MB). No connection limit, no bandwidth throttling, no usage
        // statistics.
        return String.format(Locale.ROOT, String.join("\n",
            "<?xml version=\"1.0\"?>",
            "<hivemq>",
            "  <listeners>",
            "    <tcp-listener>",
            "      <port>%d</port>",
            "      <bind-address>%s</bind-address>",
            "    </tcp-listener>",
            "  </listeners>",
            "  <mqtt>",
            "    <queued-messages>",
            "      <max-queue-size>%d</max-queue-size>",
            "      <strategy>discard</strategy>",
            "    </queued-messages>",
            "    <receive-maximum>",
            "      <server-receive-maximum>%d</server-receive-maximum>",
            "    </receive-maximum>",
            "    <topic-alias>",
            "      <enabled>true</enabled>",
            "      <max-per-client>16</max-per-client>",
            "    </topic-alias>",
            "    <packets>",
            "      <max-packet-size>1048576</max-packet-size>",
            "    </packets>",
            "  </mqtt>",
            "  <restrictions>",
            "    <max-connections>-1</max-connections>",
            "    <incoming-bandwidth-throttling>0</incoming-bandwidth-throttling>",
            "  </restrictions>",
            "  <persistence>",
            "    <mode>%s</mode>",
            "  </persistence>",
            "  <anonymous-usage-statistics>",
            "    <enabled>false</enabled>",
            "  </anonymous-usage-statistics>",
            "</hivemq>",
            ""), port, xmlText(bind), queue, inflight, persistence);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    private static int number(String text, String name, int min, int max) throws UsageException {
        long n;
        try {
            n = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a number, not '" + text + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(name + " must be in " + min + ".." + max + ", not " + n);
        }
        return (int) n;
    }

    private static String xmlText(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

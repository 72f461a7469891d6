package dev.courier.mqtt.benchmark;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Entry point of the benchmark command. Progress goes to stderr, results to stdout. */
public final class BenchmarkMain {

    private BenchmarkMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.println(BenchmarkOptions.usage());
            return 2;
        }
        if (options.help()) {
            out.println(BenchmarkOptions.usage());
            return 0;
        }
        BrokerProbe probe = null;
        if (options.brokerPid() > 0) {
            try {
                probe = BrokerProbe.of(options.brokerPid());
            } catch (IllegalArgumentException e) {
                err.println("error: " + e.getMessage());
                return 2;
            }
        }
        String runId = newRunId();
        for (Scenario scenario : options.scenarios()) {
            if (!scenario.throughput()) {
                for (String warning
                    : LocalLimits.warnings(options.clients(), options.sourceAddresses())) {
                    err.println("[bench " + runId + "] warning: " + warning);
                }
                break;
            }
        }
        EventLoopGroup group = new NioEventLoopGroup(options.threads(), new DefaultThreadFactory("bench", true));
        List<CaseResult> results = new ArrayList<>();
        try {
            CaseRunner runner = new CaseRunner(options, group, runId, probe);
            ConnectionCases connections = new ConnectionCases(options, group, runId, probe, err);
            for (Scenario scenario : options.scenarios()) {
                if (!scenario.throughput()) {
                    for (ProtocolVersion version : options.mqtt()) {
                        results.add(runConnectionCase(connections, runId, scenario, version,
                            options, err));
                        Thread.sleep(300);
                    }
                    continue;
                }
                for (int qos : options.qos()) {
                    for (ProtocolVersion version : options.mqtt()) {
                        results.add(runCase(runner, runId, scenario, qos, version, options, err));
                        Thread.sleep(300);  // let the broker clean up the previous case's sessions
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        switch (options.format()) {
            case CSV:
                Report.csv(out, results);
                break;
            case JSON:
                Report.json(out, options, results);
                break;
            default:
                Report.table(out, options, results);
                break;
        }
        out.flush();
        boolean bad = false;
        for (CaseResult r : results) {
            bad |= r.violatesGuarantee();
        }
        return bad ? 1 : 0;
    }

    private static CaseResult runCase(CaseRunner runner, String runId, Scenario scenario, int qos,
                                      ProtocolVersion version, BenchmarkOptions options, PrintStream err) {
        err.printf(Locale.ROOT, "[bench %s] %s qos%d mqtt %s: %d publisher(s) -> %d subscriber(s) ...%n",
            runId, scenario.label(), qos, version.label(), scenario.publishers(options.clients()),
            scenario.subscribers(options.clients()));
        CaseResult r = runner.run(scenario, qos, version);
        err.printf(Locale.ROOT, "[bench %s]   sent=%d received=%d lost=%d dup=%d pub=%.0f/s recv=%.0f/s"
                + " p50=%sms p99=%sms%s%n",
            runId, r.sent, r.received, r.lost(), r.duplicates(), r.publishRate(), r.receiveRate(),
            Report.ms(r.p50), Report.ms(r.p99), r.failed() ? "  ERROR: " + r.errors.get(0) : "");
        return r;
    }

    private static CaseResult runConnectionCase(ConnectionCases cases, String runId,
                                                Scenario scenario, ProtocolVersion version,
                                                BenchmarkOptions options, PrintStream err) {
        boolean storm = scenario == Scenario.RECONNECT_STORM;
        err.printf(Locale.ROOT,
            "[bench %s] %s mqtt %s: %d client(s), %d connect(s) in flight%s ...%n",
            runId, scenario.label(), version.label(), options.clients(), options.connectInflight(),
            storm ? ", " + options.stormMessages() + " message(s) queued each"
                : options.subscribe() ? ", one subscription each" : "");
        CaseResult r = cases.run(scenario, version);
        String storms = !storm ? "" : String.format(Locale.ROOT,
            " sessions lost=%d received=%d of %d lost=%d dup=%d",
            r.sessionsLost, r.unique, r.expected, r.lost(), r.duplicates());
        err.printf(Locale.ROOT, "[bench %s]   connected=%d failed=%d rate=%.0f/s%s%s%n", runId,
            r.connected, r.failedConnections(), r.connectRate(), storms,
            r.failed() ? "  ERROR: " + r.errors.get(0) : "");
        return r;
    }

    /** Six random base-36 characters; client ids stay within the 23 characters every broker must accept. */
    static String newRunId() {
        SecureRandom rnd = new SecureRandom();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            b.append(Character.forDigit(rnd.nextInt(36), 36));
        }
        return b.toString();
    }
}

package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Measures the heap an idle session costs the Artemis bridge: starts an {@link EmbeddedArtemis}
 * with a bridge in this JVM, opens N sessions and attaches a sink to each (as the transport does
 * after CONNECT), optionally subscribes each to one filter of its own, and compares the heap after
 * a full GC and the class histogram before and after. Run by hand, not by the build (its name is
 * no test's), from {@code mqtt-artemis-bridge} after {@code test-compile}:
 *
 * <pre>{@code
 * mvn -o -q dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat cp.txt) \
 *     dev.courier.mqtt.artemis.internal.IdleSessionFootprint [sessions] [clean|persistent] \
 *     [subscribe]
 * }</pre>
 *
 * <p>The count includes what the broker keeps for a session (a persistent session's journal
 * record, a subscription's queue or binding): what a connection costs beyond the transport.
 */
public final class IdleSessionFootprint {

  private static final Pattern HISTOGRAM_LINE =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
  private static final DeliverySink IDLE = () -> { };

  private IdleSessionFootprint() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    boolean clean = args.length <= 1 || !args[1].equals("persistent");
    boolean subscribe = args.length > 2 && args[2].equals("subscribe");
    Path dir = Files.createTempDirectory("idle-footprint");
    try (EmbeddedArtemis broker = new EmbeddedArtemis(dir)) {
      ArtemisBridge bridge = broker.start();
      List<BridgeSession> warm = open(bridge, "warm-", 50, clean, subscribe);
      for (BridgeSession session : warm) {
        session.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      long before = heapAfterGc();
      Map<String, long[]> histogramBefore = histogram();
      List<BridgeSession> sessions = open(bridge, "idle-", count, clean, subscribe);
      long after = heapAfterGc();
      Map<String, long[]> histogramAfter = histogram();
      PrintStream out = System.out;
      out.printf("sessions: %d (%s%s), open: %d%n", count, clean ? "clean" : "persistent",
          subscribe ? ", one subscription each" : "", sessions.size());
      out.printf("heap after GC: before %d, after %d, per session %.0f bytes%n", before, after,
          (after - before) / (double) count);
      printDiff(histogramBefore, histogramAfter, count, out);
    }
  }

  private static List<BridgeSession> open(ArtemisBridge bridge, String prefix, int count,
      boolean clean, boolean subscribe) throws Exception {
    List<BridgeSession> sessions = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      BridgeSession session = bridge.openSession(new SessionRequest(prefix + i, clean, 1000))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      session.attach(IDLE);
      if (subscribe) {
        session.subscribe(List.of(new SubscriptionRequest("idle/" + prefix + i, 1)))
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      sessions.add(session);
    }
    return sessions;
  }

  private static long heapAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** Class name to {instances, bytes}, after a full GC (the histogram command runs one). */
  private static Map<String, long[]> histogram() throws Exception {
    String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    Map<String, long[]> classes = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = HISTOGRAM_LINE.matcher(line);
      if (m.matches()) {
        classes.put(m.group(3), new long[] {Long.parseLong(m.group(1)),
            Long.parseLong(m.group(2))});
      }
    }
    return classes;
  }

  private static void printDiff(Map<String, long[]> before, Map<String, long[]> after, int count,
      PrintStream out) {
    List<Map.Entry<String, long[]>> grown = new ArrayList<>();
    long total = 0;
    for (Map.Entry<String, long[]> entry : after.entrySet()) {
      long[] was = before.getOrDefault(entry.getKey(), new long[2]);
      long[] delta = {entry.getValue()[0] - was[0], entry.getValue()[1] - was[1]};
      total += delta[1];
      if (delta[1] > count / 2) {
        grown.add(Map.entry(entry.getKey(), delta));
      }
    }
    grown.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[1])
        .reversed());
    out.printf("histogram growth: %.0f bytes per session%n", total / (double) count);
    out.printf("%10s %10s %10s  %s%n", "inst/sess", "bytes/sess", "bytes", "class");
    for (Map.Entry<String, long[]> entry : grown) {
      out.printf("%10.2f %10.1f %10d  %s%n", entry.getValue()[0] / (double) count,
          entry.getValue()[1] / (double) count, entry.getValue()[1], entry.getKey());
    }
  }
}

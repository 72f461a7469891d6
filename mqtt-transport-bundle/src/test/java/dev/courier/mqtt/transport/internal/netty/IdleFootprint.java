package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Measures the heap an idle connection costs the transport on the in-memory bridge: starts a
 * transport in this JVM, has a child JVM open N connections (CONNECT, CONNACK, then nothing), and
 * compares the heap after a full GC and the class histogram before and after. Run by hand, not by
 * the build (its name is no test's), from {@code mqtt-transport-bundle} after {@code test-compile}:
 *
 * <pre>{@code
 * mvn -o -q dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat cp.txt) \
 *     dev.courier.mqtt.transport.internal.netty.IdleFootprint [connections] [mqtt version 4|5]
 * }</pre>
 *
 * <p>The clients are plain blocking sockets in another process, so that nothing of theirs is
 * counted; they send CONNECT with keep alive 600 s so that no PINGREQ is due while measuring.
 */
public final class IdleFootprint {

  private static final Pattern HISTOGRAM_LINE =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");

  private IdleFootprint() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("clients")) {
      clients(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      return;
    }
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int version = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    try (RunningTransport server = new RunningTransport(
        RunningTransport.withPort(TransportConfig.defaults(), 0))) {
      // Warm up: one connection's worth of classes and pooled buffers before the baseline.
      Process warm = startClients(server.port(), 50, version);
      awaitReady(warm);
      stop(warm);
      long settled = System.nanoTime() + 5_000_000_000L;
      while (server.registry.connectedCount() > 0 && System.nanoTime() < settled) {
        Thread.onSpinWait();
      }
      long before = heapAfterGc();
      Map<String, long[]> histogramBefore = histogram();
      Process clients = startClients(server.port(), count, version);
      awaitReady(clients);
      long after = heapAfterGc();
      Map<String, long[]> histogramAfter = histogram();
      PrintStream out = System.out;
      out.printf("connections: %d (MQTT level %d), connected: %d%n", count, version,
          server.registry.connectedCount());
      out.printf("heap after GC: before %d, after %d, per connection %.0f bytes%n", before, after,
          (after - before) / (double) count);
      printDiff(histogramBefore, histogramAfter, count, out);
      stop(clients);
    }
  }

  /** Child process: opens the connections, prints "ready", holds them until stdin closes. */
  private static void clients(int port, int count, int version) throws IOException {
    List<Socket> sockets = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      sockets.add(connect(port, "idle-" + i, version));
    }
    System.out.println("ready");
    System.out.flush();
    while (System.in.read() >= 0) {
      // hold until the parent closes our stdin
    }
    for (Socket socket : sockets) {
      socket.close();
    }
  }

  private static Socket connect(int port, String clientId, int version) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    boolean five = version == 5;
    int remaining = 10 + (five ? 1 : 0) + 2 + id.length;
    OutputStream out = socket.getOutputStream();
    // keep alive 600 s: 0x02 0x58
    out.write(new byte[] {0x10, (byte) remaining, 0, 4, 'M', 'Q', 'T', 'T', (byte) version, 2,
        0x02, 0x58});
    if (five) {
      out.write(0);
    }
    out.write(new byte[] {0, (byte) id.length});
    out.write(id);
    out.flush();
    DataInputStream in = new DataInputStream(socket.getInputStream());
    if (in.readUnsignedByte() != 0x20) {
      throw new IOException("no CONNACK for " + clientId);
    }
    in.readFully(new byte[in.readUnsignedByte()]);
    return socket;
  }

  private static Process startClients(int port, int count, int version) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        IdleFootprint.class.getName(), "clients", Integer.toString(port), Integer.toString(count),
        Integer.toString(version))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static void awaitReady(Process clients) throws IOException {
    BufferedReader lines = new BufferedReader(
        new InputStreamReader(clients.getInputStream(), StandardCharsets.UTF_8));
    String line = lines.readLine();
    if (!"ready".equals(line)) {
      throw new IOException("clients failed: " + line);
    }
  }

  private static void stop(Process clients) throws Exception {
    clients.getOutputStream().close();
    clients.waitFor();
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
    grown.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
    out.printf("histogram growth: %.0f bytes per connection%n", total / (double) count);
    out.printf("%10s %10s %10s  %s%n", "inst/conn", "bytes/conn", "bytes", "class");
    for (Map.Entry<String, long[]> entry : grown) {
      out.printf("%10.2f %10.1f %10d  %s%n", entry.getValue()[0] / (double) count,
          entry.getValue()[1] / (double) count, entry.getValue()[1], entry.getKey());
    }
  }
}

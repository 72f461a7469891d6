package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * [MQTT-3.14.4-1] after DISCONNECT the client closes the connection; the server ends the session at
 * once but leaves the socket for the client to close first, so that TCP's TIME_WAIT state is the
 * client's. A client that does not close is closed after {@link
 * LingeringCloseHandler#LINGER_MILLIS}.
 */
class ClientDisconnectSection3_14_4Test {

  private static final byte[] DISCONNECT = {(byte) 0xE0, 0};
  /** TCP state TIME_WAIT in {@code /proc/net/tcp}. */
  private static final String TIME_WAIT = "06";

  @Test
  void whenClientDisconnectsAndCloses_thenTheTimeWaitIsTheClients() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "Linux /proc/net/tcp");
    try (RunningTransport running = new RunningTransport();
        RawConnections clients = new RawConnections()) {
      assertThat(clients.connect(running.port(), "leaver", 4)).isZero();
      Socket client = clients.last();
      Channel server = running.transport.clientChannels().iterator().next();
      int clientPort = client.getLocalPort();

      client.getOutputStream().write(DISCONNECT);
      client.getOutputStream().flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> running.registry.connectedCount() == 0);
      client.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> !server.isOpen());

      await().atMost(Duration.ofSeconds(10))
          .until(() -> inTimeWait(clientPort, running.port()));
      assertThat(inTimeWait(running.port(), clientPort))
          .as("the server's end of the connection in TIME_WAIT").isFalse();
    }
  }

  @Test
  void whenClientDisconnectsAndStaysOpen_thenTheSessionEndsAtOnceAndTheSocketAfterTheLinger()
      throws Exception {
    try (RunningTransport running = new RunningTransport();
        RawConnections clients = new RawConnections()) {
      assertThat(clients.connect(running.port(), "stayer", 5)).isZero();
      Socket client = clients.last();
      Channel server = running.transport.clientChannels().iterator().next();
      AtomicInteger connectedAtSocketClose = new AtomicInteger(-1);
      AtomicLong socketClosed = new AtomicLong();
      server.closeFuture().addListener(closed -> {
        socketClosed.set(System.nanoTime());
        connectedAtSocketClose.set(running.registry.connectedCount());
      });

      long disconnected = System.nanoTime();
      client.getOutputStream().write(new byte[] {(byte) 0xE0, 1, 0}); // 5.0, reason 0x00
      client.getOutputStream().flush();

      assertThat(RawConnections.closedByServer(client)).as("end of stream, no reset").isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> socketClosed.get() != 0);
      assertThat(Duration.ofNanos(socketClosed.get() - disconnected))
          .as("time from DISCONNECT to the server's close")
          .isGreaterThanOrEqualTo(Duration.ofMillis(LingeringCloseHandler.LINGER_MILLIS));
      assertThat(connectedAtSocketClose.get())
          .as("connections the engine still had open when the socket closed").isZero();
    }
  }

  /** Whether a connection from {@code localPort} to {@code remotePort} is in TIME_WAIT. */
  private static boolean inTimeWait(int localPort, int remotePort) throws IOException {
    String local = String.format(Locale.ROOT, ":%04X", localPort);
    String remote = String.format(Locale.ROOT, ":%04X", remotePort);
    for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(file);
      if (!Files.isReadable(path)) {
        continue;
      }
      for (String line : Files.readAllLines(path)) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length > 3 && fields[1].endsWith(local) && fields[2].endsWith(remote)
            && fields[3].equals(TIME_WAIT)) {
          return true;
        }
      }
    }
    return false;
  }
}

package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * [MQTT-4.13.1-1] a server that ends a connection for a protocol error sends DISCONNECT with the
 * reason code first, and the client must be able to read it. A client that is still sending when
 * the server gives up (here: over the server's Receive Maximum, as in Paho's interoperability test
 * {@code test_flow_control2}) must not be reset: it reads every byte up to the DISCONNECT, then end
 * of stream, and its own late packets are read and dropped meanwhile.
 */
class ServerDisconnectSection4_13_1Test {

  /** PUBLISH packets sent after the server has given up, in separate writes. */
  private static final int LATE_BATCHES = 20;
  private static final int LATE_BATCH_SIZE = 50;

  @Test
  void whenClientExceedsReceiveMaximumAndKeepsSending_thenItReadsDisconnect0x93ThenEndOfStream()
      throws Exception {
    try (RunningTransport running = new RunningTransport();
        Socket client = new Socket()) {
      client.connect(new InetSocketAddress("127.0.0.1", running.port()));
      client.setSoTimeout(10_000);
      OutputStream out = client.getOutputStream();
      InputStream in = client.getInputStream();
      out.write(connect5("over-the-limit"));
      int receiveMaximum = receiveMaximum(readPacket(in));
      assertThat(receiveMaximum).as("Receive Maximum in CONNACK").isBetween(1, 1024);

      // The engine must hear of the close when the DISCONNECT goes, not when the socket closes.
      Channel server = running.transport.clientChannels().iterator().next();
      AtomicInteger connectedAtSocketClose = new AtomicInteger(-1);
      server.closeFuture().addListener(closed ->
          connectedAtSocketClose.set(running.registry.connectedCount()));

      // QoS 2 without PUBREL: each stays in flight; the one over the maximum is a violation.
      out.write(publishes(1, receiveMaximum + 1));
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
          .until(() -> running.registry.connectedCount() == 0);

      // The client has not read yet and keeps publishing, like a client that sends in a loop.
      for (int batch = 0; batch < LATE_BATCHES; batch++) {
        out.write(publishes(receiveMaximum + 2 + batch * LATE_BATCH_SIZE, LATE_BATCH_SIZE));
      }
      List<byte[]> packets = readUntilEndOfStream(in);

      assertThat(packets).isNotEmpty();
      byte[] last = packets.get(packets.size() - 1);
      assertThat(last[0] & 0xFF).as("last packet type").isEqualTo(0xE0);
      assertThat(last[2] & 0xFF).as("DISCONNECT reason code").isEqualTo(0x93);
      for (byte[] packet : packets.subList(0, packets.size() - 1)) {
        assertThat(packet[0] & 0xFF).as("packets before DISCONNECT are PUBREC").isEqualTo(0x50);
      }
      client.close();
      await().atMost(Duration.ofSeconds(5)).until(() -> !server.isOpen());
      assertThat(connectedAtSocketClose.get()).as("connections the engine still had open when"
          + " the socket closed").isZero();
    }
  }

  /** Reads whole packets until end of stream; a reset connection fails the read. */
  private static List<byte[]> readUntilEndOfStream(InputStream in) throws IOException {
    List<byte[]> packets = new ArrayList<>();
    byte[] packet;
    while ((packet = readPacket(in)) != null) {
      packets.add(packet);
    }
    return packets;
  }

  /** One packet, fixed header included; null at end of stream before its first byte. */
  private static byte[] readPacket(InputStream in) throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(first);
    int length = 0;
    int shift = 0;
    int digit;
    do {
      digit = in.read();
      assertThat(digit).as("remaining length byte").isNotNegative();
      packet.write(digit);
      length |= (digit & 0x7F) << shift;
      shift += 7;
    } while ((digit & 0x80) != 0);
    byte[] body = in.readNBytes(length);
    assertThat(body).as("packet body").hasSize(length);
    packet.writeBytes(body);
    return packet.toByteArray();
  }

  /** The Receive Maximum property of a 5.0 CONNACK, 65 535 if absent (3.2.2.3.3). */
  private static int receiveMaximum(byte[] connAck) {
    assertThat(connAck[0] & 0xFF).as("CONNACK").isEqualTo(0x20);
    assertThat(connAck[3]).as("CONNACK reason code").isZero();
    // fixed header (2, remaining length < 128 here), flags, reason, properties length (1 byte)
    int end = 5 + connAck[4];
    for (int i = 5; i < end; ) {
      int id = connAck[i++];
      switch (id) {
        case 0x21 -> {
          return ((connAck[i] & 0xFF) << 8) | (connAck[i + 1] & 0xFF);
        }
        case 0x12, 0x1F, 0x1A, 0x1C -> i += 2 + (((connAck[i] & 0xFF) << 8) | (connAck[i + 1] & 0xFF));
        case 0x11, 0x27 -> i += 4;
        case 0x13, 0x22 -> i += 2;
        default -> i += 1;
      }
    }
    return 65_535;
  }

  private static byte[] connect5(String clientId) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    string(body, "MQTT");
    body.write(5);
    body.write(0x02); // clean start
    body.write(0);
    body.write(60);
    body.write(0); // no properties
    string(body, clientId);
    byte[] bytes = body.toByteArray();
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(0x10);
    packet.write(bytes.length);
    packet.writeBytes(bytes);
    return packet.toByteArray();
  }

  /** {@code count} QoS 2 PUBLISH packets to "t", no properties, one-byte payload, 9 bytes each. */
  private static byte[] publishes(int firstId, int count) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(count * 9);
    for (int i = 0; i < count; i++) {
      int id = (firstId + i) % 65_000 + 1;
      out.writeBytes(new byte[] {0x34, 7, 0, 1, 't', (byte) (id >> 8), (byte) id, 0, 'x'});
    }
    return out.toByteArray();
  }

  private static void string(ByteArrayOutputStream out, String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    out.write(utf8.length >> 8);
    out.write(utf8.length);
    out.writeBytes(utf8);
  }
}

package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A client that publishes QoS 1 flat out and never reads: every PUBLISH earns a PUBACK that the
 * client does not take, so without a read gate the broker's outbound buffer for it grows with
 * every packet it reads. With the gate, reading stops once that buffer passes
 * {@code deliveryBufferSize}, the client's writes stall in the network, and the broker holds a
 * bounded amount however much the client tries to send.
 */
class ReadGateTest {

  /** PUBLISH QoS 1 packets the client tries to send: 16 MB, whose PUBACKs would be 8 MB. */
  private static final int PUBLISHES = 2_000_000;
  /** What the broker may hold for that client: the high-water mark plus one read batch. */
  private static final long BOUND = 1024 * 1024;

  @Test
  void whenClientPublishesQos1AndNeverReads_thenBrokerOutboundStaysBounded() throws Exception {
    try (RunningTransport running = new RunningTransport();
        SocketChannel client = SocketChannel.open();
        Selector selector = Selector.open()) {
      client.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
      client.connect(new InetSocketAddress("127.0.0.1", running.port()));
      client.configureBlocking(false);
      SelectionKey key = client.register(selector, SelectionKey.OP_WRITE);

      ByteBuffer out = ByteBuffer.wrap(connect("flooder"));
      long sent = 0;
      int packetId = 1;
      int queued = 0;
      boolean stalled = false;
      while (!stalled) {
        if (!out.hasRemaining()) {
          if (queued >= PUBLISHES) {
            break;
          }
          out = ByteBuffer.wrap(publishBatch(packetId, 1024));
          packetId = (packetId + 1024) % 65_000 + 1;
          queued += 1024;
        }
        int wrote = client.write(out);
        sent += wrote;
        if (wrote == 0) {
          // The socket is full: wait for room, and call it stalled if none comes for a second.
          stalled = selector.select(1000) == 0;
          selector.selectedKeys().clear();
        }
      }
      assertThat(stalled).as("the broker stopped reading before the client sent everything")
          .isTrue();
      assertThat(sent).isLessThan((long) PUBLISHES * 8);

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(running.statistics.outboundReadPauses()).isPositive());
      Channel server = running.transport.clientChannels().iterator().next();
      ChannelOutboundBuffer buffer = server.unsafe().outboundBuffer();
      long pending = buffer == null ? 0 : buffer.totalPendingWriteBytes();
      assertThat(pending).as("bytes the broker holds for the client").isLessThan(BOUND);
      assertThat(server.isActive()).isTrue();
      key.cancel();
    }
  }

  private static byte[] connect(String clientId) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    string(body, "MQTT");
    body.write(4);
    body.write(0x02); // clean session
    body.write(0);
    body.write(60);
    string(body, clientId);
    return packet(0x10, body.toByteArray());
  }

  /** {@code count} PUBLISH QoS 1 packets to topic "t" with a one-byte payload, 8 bytes each. */
  private static byte[] publishBatch(int firstId, int count) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(count * 8);
    for (int i = 0; i < count; i++) {
      int id = (firstId + i) % 65_000 + 1;
      out.writeBytes(new byte[] {0x32, 6, 0, 1, 't', (byte) (id >> 8), (byte) id, 'x'});
    }
    return out.toByteArray();
  }

  private static void string(ByteArrayOutputStream out, String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    out.write(utf8.length >> 8);
    out.write(utf8.length);
    out.writeBytes(utf8);
  }

  private static byte[] packet(int firstByte, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(firstByte);
    out.write(body.length);
    out.writeBytes(body);
    return out.toByteArray();
  }
}

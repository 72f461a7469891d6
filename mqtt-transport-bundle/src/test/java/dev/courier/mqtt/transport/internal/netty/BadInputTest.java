package dev.courier.mqtt.transport.internal.netty;

import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.PINGREQ;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.PINGRESP;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.connAck;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.packet;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.written;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real client pipeline ({@link MqttChannelInitializer#configure}) on an {@link EmbeddedChannel}
 * fed raw bytes a client might send by mistake or malice. Each malformed input must close its
 * connection (with the CONNACK return code first where MQTT asks for one [MQTT-3.2.2-4]), release
 * every buffer, and leave the transport serving other clients.
 */
class BadInputTest {

  private static final int MAX_PACKET_SIZE = 1024;

  private final PipelineHarness harness = new PipelineHarness(withMaxPacketSize(MAX_PACKET_SIZE));
  private final TransportConfig config = harness.config();
  private int healthyClients;

  private static TransportConfig withMaxPacketSize(int maxPacketSize) {
    return TransportConfig.builder().maxPacketSize(maxPacketSize).build();
  }

  @AfterEach
  void releaseEverything() {
    harness.closeChannels();
    assertThat(harness.unreleasedInputs()).as("input buffers released").isEmpty();
    assertThat(harness.registry().connectedCount()).isZero();
    harness.shutdown();
  }

  // ---------------------------------------------------------------- helpers

  private static void writeString(ByteArrayOutputStream out, byte[] utf8) {
    out.write(utf8.length >> 8);
    out.write(utf8.length & 0xFF);
    out.writeBytes(utf8);
  }

  private static byte[] connect(String protocolName, int level, String clientId, boolean clean) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeString(body, protocolName.getBytes(StandardCharsets.UTF_8));
    body.write(level);
    body.write(clean ? 0x02 : 0x00);
    body.write(0);
    body.write(60); // keep-alive
    if (level == 5) {
      body.write(0); // no properties
    }
    writeString(body, clientId.getBytes(StandardCharsets.UTF_8));
    return packet(0x10, body.toByteArray());
  }

  private static byte[] connect(String clientId) {
    return connect("MQTT", 4, clientId, true);
  }

  /** A QoS 0 PUBLISH with the topic given as raw bytes. */
  private static byte[] publishRawTopic(byte[] topic) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeString(body, topic);
    body.writeBytes("x".getBytes(StandardCharsets.UTF_8));
    return packet(0x30, body.toByteArray());
  }

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  /** A connected client: CONNECT answered with CONNACK 0. */
  private EmbeddedChannel connected(String clientId) {
    EmbeddedChannel channel = harness.channel();
    harness.feed(channel, connect(clientId));
    assertThat(written(channel)).isEqualTo(connAck(0));
    return channel;
  }

  private void assertClosed(EmbeddedChannel channel, ByteBuf... fed) {
    assertThat(channel.isOpen()).as("channel closed").isFalse();
    for (ByteBuf buf : fed) {
      assertThat(buf.refCnt()).as("input released").isZero();
    }
  }

  /** Another client on the same registry and bridge still connects and pings. */
  private void assertOthersStillServed() {
    EmbeddedChannel healthy = connected("healthy-" + ++healthyClients);
    harness.feed(healthy, PINGREQ);
    assertThat(written(healthy)).isEqualTo(PINGRESP);
    assertThat(healthy.isOpen()).isTrue();
    healthy.close();
  }

  // ---------------------------------------------------------------- framing

  @Test
  void whenRemainingLengthHasFiveBytes_thenClosed() {
    EmbeddedChannel channel = connected("five");
    ByteBuf in = harness.feed(channel, hex("30 FF FF FF FF 7F"));

    assertClosed(channel, in);
    assertThat(written(channel)).isEmpty();
    assertOthersStillServed();
  }

  @Test
  void whenPacketExceedsMaxPacketSize_thenClosedAsSoonAsTheHeaderIsRead() {
    EmbeddedChannel channel = connected("big");
    // PUBLISH announcing 100,000 bytes; only the fixed header is sent.
    ByteBuf in = harness.feed(channel, hex("30 A0 8D 06"));

    assertClosed(channel, in);
    assertOthersStillServed();
  }

  @Test
  void whenPacketIsJustBelowMaxPacketSize_thenAccepted() {
    EmbeddedChannel channel = connected("fits");
    byte[] topic = "t".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeString(body, topic);
    body.writeBytes(new byte[MAX_PACKET_SIZE - 3 - 3]); // 1 + 2 header bytes, 2 + 1 topic bytes
    byte[] publish = packet(0x30, body.toByteArray());
    assertThat(publish).hasSize(MAX_PACKET_SIZE);

    harness.feed(channel, publish, PINGREQ);

    assertThat(channel.isOpen()).isTrue();
    assertThat(written(channel)).isEqualTo(PINGRESP);
  }

  @Test
  void whenPacketsArriveSplitAndCoalesced_thenEachIsHandled() {
    EmbeddedChannel channel = harness.channel();
    byte[] connect = connect("split");
    byte[] twoPings = {(byte) 0xC0, 0x00, (byte) 0xC0, 0x00};
    harness.feed(channel, Arrays.copyOfRange(connect, 0, 3));
    assertThat(written(channel)).isEmpty();
    harness.feed(channel, Arrays.copyOfRange(connect, 3, connect.length), twoPings,
        new byte[] {(byte) 0xC0});
    harness.feed(channel, new byte[] {0x00});

    assertThat(written(channel)).isEqualTo(hex("20 02 00 00 D0 00 D0 00 D0 00"));
  }

  // ---------------------------------------------------------------- fixed-header flags

  @Test
  void whenConnectHasFlag0x1_thenClosedWithoutConnAck() {
    EmbeddedChannel channel = harness.channel();
    byte[] connect = connect("flags");
    connect[0] = 0x11;
    ByteBuf in = harness.feed(channel, connect);

    assertClosed(channel, in);
    assertThat(written(channel)).isEmpty();
    assertOthersStillServed();
  }

  @ParameterizedTest(name = "first byte {0}")
  @ValueSource(strings = {
      "60 02 00 01", // PUBREL with flags 0000 instead of 0010
      "80 06 00 01 00 01 61 00", // SUBSCRIBE with flags 0000 instead of 0010
      "A0 05 00 01 00 01 61", // UNSUBSCRIBE with flags 0000
      "C1 00", // PINGREQ with RETAIN
      "48 02 00 01", // PUBACK with DUP
  })
  void whenReservedFlagsAreWrong_thenClosed(String packet) {
    EmbeddedChannel channel = connected("flags");
    ByteBuf in = harness.feed(channel, hex(packet), PINGREQ);

    assertClosed(channel, in);
    assertThat(written(channel)).isEmpty(); // nothing after the bad packet was answered
    assertOthersStillServed();
  }

  @Test
  void whenPublishHasQos3_thenClosed() {
    EmbeddedChannel channel = connected("qos3");
    ByteBuf in = harness.feed(channel, hex("36 06 00 01 61 00 01 78"));

    assertClosed(channel, in);
    assertOthersStillServed();
  }

  // ---------------------------------------------------------------- topic names

  @ParameterizedTest(name = "topic bytes {0}")
  @ValueSource(strings = {
      "C0 80", // overlong NUL
      "E0 80 AF", // overlong '/'
      "FF", // never valid in UTF-8
      "61 FF 62",
      "ED A0 80", // encoded UTF-16 surrogate D800
      "ED BF BF", // encoded surrogate DFFF
      "F4 90 80 80", // above U+10FFFF
      "E2 82", // truncated sequence
      "61 00 62", // U+0000 [MQTT-1.5.3-2]
      "2B", // '+'
      "61 2F 23", // 'a/#'
      "", // empty topic [MQTT-4.7.3-1]
  })
  void whenPublishTopicIsInvalid_thenClosedAndNothingRouted(String topic) {
    EmbeddedChannel watcher = connected("watcher");
    harness.feed(watcher, hex("82 06 00 01 00 01 23 00")); // SUBSCRIBE '#' QoS 0
    assertThat(written(watcher)).isEqualTo(hex("90 03 00 01 00"));

    EmbeddedChannel channel = connected("publisher");
    ByteBuf in = harness.feed(channel, publishRawTopic(hex(topic)));

    assertClosed(channel, in);
    assertThat(written(watcher)).as("nothing routed").isEmpty();
    watcher.close();
    assertOthersStillServed();
  }

  @Test
  void whenPublishTopicIsValidMultiByteUtf8_thenRouted() {
    EmbeddedChannel watcher = connected("watcher");
    harness.feed(watcher, hex("82 06 00 01 00 01 23 00"));
    written(watcher);
    EmbeddedChannel channel = connected("publisher");
    // "é/€/😀": 2-, 3- and 4-byte sequences
    byte[] topic = "\u00e9/\u20ac/\ud83d\ude00".getBytes(StandardCharsets.UTF_8);

    harness.feed(channel, publishRawTopic(topic));
    watcher.runPendingTasks();

    assertThat(channel.isOpen()).isTrue();
    byte[] delivered = written(watcher);
    assertThat(delivered).startsWith(0x30);
    assertThat(new String(delivered, StandardCharsets.UTF_8)).contains("\u20ac");
  }

  // ---------------------------------------------------------------- CONNECT exchange

  @Test
  void whenSecondConnect_thenClosed() {
    EmbeddedChannel channel = connected("again");
    ByteBuf in = harness.feed(channel, connect("again"));

    assertClosed(channel, in);
    assertThat(written(channel)).isEmpty();
    assertOthersStillServed();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"C0 00", "30 06 00 01 61 00 01 78", "E0 00"})
  void whenPacketBeforeConnect_thenClosed(String packet) {
    EmbeddedChannel channel = harness.channel();
    ByteBuf in = harness.feed(channel, hex(packet));

    assertClosed(channel, in);
    assertThat(written(channel)).isEmpty();
    assertOthersStillServed();
  }

  @Test
  void whenUnknownProtocolLevel_thenConnAck0x01AndClosed() {
    EmbeddedChannel channel = harness.channel();
    ByteBuf in = harness.feed(channel, connect("MQTT", 6, "six", true));

    assertThat(written(channel)).isEqualTo(connAck(0x01));
    assertClosed(channel, in);
    assertOthersStillServed();
  }

  @Test
  void whenMqtt5Connect_thenConnAckSuccessInMqtt5Form() {
    EmbeddedChannel channel = harness.channel();
    harness.feed(channel, connect("MQTT", 5, "five", true));

    // MQTT 5 CONNACK: flags 0, reason 0x00, then a property section (3.2.2.3).
    byte[] connAck = written(channel);
    assertThat(connAck[0]).isEqualTo((byte) 0x20);
    assertThat(connAck[2]).isEqualTo((byte) 0x00);
    assertThat(connAck[3]).isEqualTo((byte) 0x00);
    assertThat(connAck[4] & 0xFF).isEqualTo(connAck.length - 5);
    assertThat(channel.isActive()).isTrue();
    assertOthersStillServed();
  }

  @Test
  void whenEmptyClientIdWithoutCleanSession_thenConnAck0x02AndClosed() {
    EmbeddedChannel channel = harness.channel();
    ByteBuf in = harness.feed(channel, connect("MQTT", 4, "", false));

    assertThat(written(channel)).isEqualTo(connAck(0x02));
    assertClosed(channel, in);
    assertOthersStillServed();
  }

  @Test
  void whenMqtt31ConnectWithEmptyClientId_thenConnAck0x02AndClosed() {
    EmbeddedChannel channel = harness.channel();
    ByteBuf in = harness.feed(channel, connect("MQIsdp", 3, "", true));

    assertThat(written(channel)).isEqualTo(connAck(0x02));
    assertClosed(channel, in);
    assertOthersStillServed();
  }

  @Test
  void whenClientIdLongerThanMaxClientIdLength_thenConnAck0x02AndClosed() {
    EmbeddedChannel channel = harness.channel();
    ByteBuf in = harness.feed(channel, connect("x".repeat(config.maxClientIdLength() + 1)));

    assertThat(written(channel)).isEqualTo(connAck(0x02));
    assertClosed(channel, in);
    assertOthersStillServed();
  }

  @Test
  void whenConnectIsTruncatedWithinItsFrame_thenClosed() {
    EmbeddedChannel channel = harness.channel();
    // Remaining length 4 says the packet ends inside the protocol name.
    ByteBuf in = harness.feed(channel, hex("10 04 00 04 4D 51"));

    assertClosed(channel, in);
    assertOthersStillServed();
  }

  @Test
  void whenConnectIsGarbage_thenClosed() {
    EmbeddedChannel channel = harness.channel();
    ByteBuf in = harness.feed(channel, hex("10 08 FF FF 01 02 03 04 05 06"));

    assertClosed(channel, in);
    assertOthersStillServed();
  }

  @Test
  void whenConnectHasTrailingBytesInsideItsFrame_thenClosed() {
    EmbeddedChannel channel = harness.channel();
    byte[] connect = connect("trailing");
    byte[] body = Arrays.copyOfRange(connect, 2, connect.length);
    byte[] longer = Arrays.copyOf(body, body.length + 3);
    ByteBuf in = harness.feed(channel, packet(0x10, longer));

    assertClosed(channel, in);
    assertOthersStillServed();
  }

  @Test
  void whenClientSendsNothingWithinConnectTimeout_thenClosed() {
    EmbeddedChannel channel = harness.channel();
    harness.advanceTime(config.connectTimeoutSeconds() - 1, TimeUnit.SECONDS);
    assertThat(channel.isOpen()).isTrue();

    harness.advanceTime(2, TimeUnit.SECONDS);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void whenConnectArrives_thenTheConnectTimerIsDroppedAtOnce() {
    EmbeddedChannel channel = harness.channel();
    MqttConnectionHandler handler = PipelineHarness.connectionHandler(channel);
    assertThat(handler.connectTimerPending()).isTrue();

    harness.feed(channel, connect("timer-dropped"));

    // Not held for connectTimeoutSeconds by every connection (an idle connection's memory).
    assertThat(handler.connectTimerPending()).isFalse();
    harness.advanceTime(config.connectTimeoutSeconds() + 1, TimeUnit.SECONDS);
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void whenKeepAliveExpires_thenClosed() {
    EmbeddedChannel channel = connected("idle");
    harness.advanceTime(90, TimeUnit.SECONDS); // 1.5 times its keep alive of 60 s


    assertThat(channel.isOpen()).isFalse();
    assertOthersStillServed();
  }

  @Test
  void whenSubscribeIsTruncatedWithinItsFrame_thenClosedAndFollowingPacketNotAnswered() {
    EmbeddedChannel channel = connected("cut");
    // Remaining length 3: packet id, then one byte of a topic filter length.
    ByteBuf in = harness.feed(channel, hex("82 03 00 01 00"), PINGREQ);

    assertThat(written(channel)).isEmpty();
    assertClosed(channel, in);
  }

  // ---------------------------------------------------------------- buffers

  @Test
  void whenHealthyTrafficFlows_thenEveryInputBufferIsReleased() {
    EmbeddedChannel subscriber = connected("sub");
    harness.feed(subscriber, hex("82 06 00 01 00 01 74 01")); // SUBSCRIBE 't' QoS 1
    assertThat(written(subscriber)).isEqualTo(hex("90 03 00 01 01"));
    EmbeddedChannel publisher = connected("pub");

    ByteBuf qos1 = harness.feed(publisher, hex("32 06 00 01 74 00 07 61"), PINGREQ); // QoS 1 id 7
    assertThat(written(publisher)).isEqualTo(hex("40 02 00 07 D0 00"));
    subscriber.runPendingTasks();
    byte[] delivered = written(subscriber);
    assertThat(delivered).hasSize(8);
    assertThat(delivered[0]).isEqualTo((byte) 0x32);

    subscriber.close();
    publisher.close();
    assertThat(qos1.refCnt()).isZero();
  }

  @Test
  void whenConnectionClosesWhileItsTakeoverIsPending_thenBufferedPacketsAreReleased() {
    EmbeddedChannel first = connected("twin");
    EmbeddedChannel second = harness.channel();
    // CONNECT and a pipelined PUBLISH in one read: the PUBLISH waits for CONNACK, which waits for
    // the first connection (whose loop has not run yet) to let go of the client id.
    ByteBuf in = harness.feed(second, connect("twin"), hex("30 06 00 01 61 00 01 78"));
    assertThat(written(second)).isEmpty();
    assertThat(in.refCnt()).as("PUBLISH held while CONNECTING").isPositive();

    second.close();
    assertThat(in.refCnt()).isZero();

    first.runPendingTasks();
    second.runPendingTasks();
    assertThat(first.isOpen()).isFalse();
    assertOthersStillServed();
  }

  @Test
  void whenTakeoverCompletes_thenPipelinedPacketsAreAnsweredAfterConnAck() {
    EmbeddedChannel first = connected("twin");
    EmbeddedChannel second = harness.channel();
    ByteBuf in = harness.feed(second, connect("twin"), hex("32 06 00 01 61 00 05 78"), PINGREQ);
    assertThat(written(second)).isEmpty();

    first.runPendingTasks(); // the takeover closes the first connection
    second.runPendingTasks(); // the claim completes on the second's loop

    assertThat(first.isOpen()).isFalse();
    assertThat(written(second)).isEqualTo(hex("20 02 00 00 40 02 00 05 D0 00"));
    second.close();
    assertThat(in.refCnt()).isZero();
  }
}

package dev.courier.mqtt.transport.internal.netty;

import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.PINGREQ;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.PINGRESP;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.ack;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.concat;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.connAck;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.connect;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.hex;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.publish;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.subscribe;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.unsubscribe;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.utf8;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.written;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of MQTT 3.1.1 violations, each sent as raw bytes through the real client pipeline. For
 * every one the connection must be closed without the packet taking effect: no CONNACK 0 for a bad
 * CONNECT (only the return code MQTT asks for, where it asks for one [MQTT-3.2.2-4]), no PUBACK and
 * nothing routed to a subscriber on another connection for a bad PUBLISH, no SUBACK or UNSUBACK
 * for a bad SUBSCRIBE or UNSUBSCRIBE, and nothing answered after the bad packet (each case is
 * followed by a PINGREQ in the same read). Every input buffer must be released, no error may take
 * the handler's unexpected-error path, and the transport must go on serving other clients.
 *
 * <p>Control characters (U+0001..U+001F, U+007F..U+009F): MQTT 3.1.1 section 1.5.3 says they
 * SHOULD NOT be sent and a receiver MAY close. Courier refuses them in topic names (PUBLISH topic
 * and will topic), which it forwards to other clients and the bridge, and accepts them elsewhere
 * (client id, user name, topic filters); both behaviours are asserted below.
 */
class ProtocolViolationCorpusTest {

  private static final byte[] NO_ANSWER = new byte[0];

  private final PipelineHarness harness = new PipelineHarness(TransportConfig.defaults());
  private int healthyClients;

  /** Where in the exchange a case's bytes are sent. */
  enum Phase {
    /** As the first bytes of a new connection. */
    FIRST,
    /** After CONNECT was accepted. */
    CONNECTED
  }

  /** One violation: the rule broken, when it is sent, the bytes, and the only answer allowed. */
  record Case(String rule, Phase phase, byte[] bytes, byte[] answer) {}

  @AfterEach
  void releaseEverything() {
    harness.shutdown();
    assertThat(harness.unreleasedInputs()).as("input buffers released").isEmpty();
    assertThat(harness.unexpectedErrors()).as("errors on the unexpected-error path").isEmpty();
    assertThat(harness.registry().connectedCount()).isZero();
  }

  // ---------------------------------------------------------------- the corpus

  @ParameterizedTest(name = "{0}")
  @MethodSource("violations")
  void whenClientBreaksAMustCloseRule_thenClosedWithoutAcceptingThePacket(Case c) {
    EmbeddedChannel watcher = harness.connected("watcher");
    harness.feed(watcher, subscribe(1, "#", 1));
    assertThat(written(watcher)).isEqualTo(hex("90 03 00 01 01"));
    EmbeddedChannel channel = c.phase() == Phase.FIRST ? harness.channel()
        : harness.connected("violator");

    ByteBuf in = harness.feed(channel, c.bytes(), PINGREQ);
    harness.settle();

    assertThat(written(channel)).as("answer to %s", hex(c.bytes())).isEqualTo(c.answer());
    assertThat(channel.isActive()).as("connection closed").isFalse();
    assertThat(in.refCnt()).as("input released").isZero();
    assertThat(written(watcher)).as("nothing routed to a subscriber").isEmpty();
    assertThat(harness.unexpectedErrors()).isEmpty();
    watcher.close();
    assertOthersStillServed();
  }

  static Stream<Arguments> violations() {
    return Stream.of(connectFlagCases(), connectStringCases(), connectExchangeCases(),
        fixedHeaderCases(), packetIdCases(), subscribeCases(), topicNameCases(), framingCases(),
        packetTypeCases()).flatMap(s -> s);
  }

  private static Stream<Arguments> connectFlagCases() {
    byte[] id = utf8("c");
    byte[] topic = utf8("will");
    byte[] message = utf8("bye");
    byte[] user = utf8("u");
    byte[] password = utf8("p");
    return Stream.of(
        first("MQTT-3.1.2-13 will QoS 1 without will flag",
            connect("MQTT", 4, 0x0A, id, null, null, null, null)),
        first("MQTT-3.1.2-13 will QoS 2 without will flag",
            connect("MQTT", 4, 0x12, id, null, null, null, null)),
        first("MQTT-3.1.2-15 will retain without will flag",
            connect("MQTT", 4, 0x22, id, null, null, null, null)),
        first("MQTT-3.1.2-14 will QoS 3",
            connect("MQTT", 4, 0x1E, id, topic, message, null, null)),
        first("MQTT-3.1.2-9 will flag without will topic",
            connect("MQTT", 4, 0x06, id, null, null, null, null)),
        first("MQTT-3.1.2-9 will flag without will message",
            connect("MQTT", 4, 0x06, id, topic, null, null, null)),
        first("MQTT-3.1.2-22 password flag without user name flag",
            connect("MQTT", 4, 0x42, id, null, null, null, password)),
        first("MQTT-3.1.2-22 password flag without user name flag or password",
            connect("MQTT", 4, 0x42, id, null, null, null, null)),
        first("MQTT-3.1.2-19 user name flag but no user name",
            connect("MQTT", 4, 0x82, id, null, null, null, null)),
        first("MQTT-3.1.2-21 password flag but no password",
            connect("MQTT", 4, 0xC2, id, null, null, user, null)),
        first("MQTT-3.1.2-18 user name without user name flag",
            connect("MQTT", 4, 0x02, id, null, null, user, null)),
        first("MQTT-3.1.2-20 password without password flag",
            connect("MQTT", 4, 0x82, id, null, null, user, password)),
        first("MQTT-3.1.2-3 reserved CONNECT flag bit 0",
            connect("MQTT", 4, 0x03, id, null, null, null, null)),
        first("MQTT-3.1.2-3 reserved flag bit 0 with everything else valid",
            connect("MQTT", 4, 0xC7, id, topic, message, user, password)));
  }

  private static Stream<Arguments> connectStringCases() {
    return Stream.of(
        first("MQTT-1.5.3-2 client id with U+0000", plainConnect(hex("61 00 62"))),
        first("MQTT-1.5.3-1 client id with byte FF", plainConnect(hex("61 FF"))),
        first("MQTT-1.5.3-1 client id with overlong '/'", plainConnect(hex("C0 AF"))),
        first("MQTT-1.5.3-1 client id with surrogate D800", plainConnect(hex("ED A0 80"))),
        first("MQTT-1.5.3-1 client id with surrogate pair as CESU-8",
            plainConnect(hex("ED A0 BD ED B8 80"))),
        first("MQTT-1.5.3-2 will topic with U+0000", willConnect(hex("61 00"))),
        first("MQTT-1.5.3-1 will topic with surrogate DFFF", willConnect(hex("ED BF BF"))),
        first("MQTT-3.3.2-2 will topic with '#'", willConnect(utf8("a/#"))),
        first("MQTT-3.3.2-2 will topic with '+'", willConnect(utf8("+"))),
        first("MQTT-4.7.3-1 empty will topic", willConnect(new byte[0])),
        first("1.5.3 will topic with control character U+0001", willConnect(hex("61 01"))),
        first("1.5.3 will topic with control character U+009F", willConnect(hex("61 C2 9F"))),
        first("MQTT-1.5.3-2 user name with U+0000",
            connect("MQTT", 4, 0x82, utf8("c"), null, null, hex("00"), null)),
        first("MQTT-1.5.3-1 user name with truncated sequence",
            connect("MQTT", 4, 0x82, utf8("c"), null, null, hex("E2 82"), null)));
  }

  private static Stream<Arguments> connectExchangeCases() {
    byte[] id = utf8("c");
    return Stream.of(
        first("MQTT-3.1.2-1 protocol name MQTX (refused as unacceptable protocol, 0x01)",
            connect("MQTX", 4, 0x02, id, null, null, null, null), connAck(0x01)),
        first("MQTT-3.1.2-1 protocol name mqtt in lower case (0x01)",
            connect("mqtt", 4, 0x02, id, null, null, null, null), connAck(0x01)),
        first("MQTT-3.1.2-1 protocol name MQIsdp with level 4 (0x01)",
            connect("MQIsdp", 4, 0x02, id, null, null, null, null), connAck(0x01)),
        first("MQTT-3.1.2-2 protocol level 1 (0x01)",
            connect("MQTT", 1, 0x02, id, null, null, null, null), connAck(0x01)),
        first("MQTT-3.1.2-2 protocol level 3 with name MQTT (0x01)",
            connect("MQTT", 3, 0x02, id, null, null, null, null), connAck(0x01)),
        first("MQTT-3.1.3-8 empty client id without clean session (0x02)",
            connect("MQTT", 4, 0x00, new byte[0], null, null, null, null), connAck(0x02)),
        first("MQTT-3.1.3-5 client id longer than the server allows (0x02)",
            connect("MQTT", 4, 0x02,
                utf8("x".repeat(TransportConfig.defaults().maxClientIdLength() + 1)), null, null,
                null, null),
            connAck(0x02)),
        first("MQTT-3.1.0-1 PINGREQ before CONNECT", PINGREQ),
        first("MQTT-3.1.0-1 PUBLISH before CONNECT", publish(0, utf8("a"), 0, utf8("x"))),
        first("MQTT-3.1.0-1 SUBSCRIBE before CONNECT", subscribe(1, "a", 0)),
        first("MQTT-3.1.0-1 DISCONNECT before CONNECT", hex("E0 00")),
        first("MQTT-3.1.0-1 CONNACK before CONNECT", connAck(0)),
        connected("MQTT-3.1.0-2 second CONNECT", connect("violator")),
        connected("MQTT-3.1.0-2 second CONNECT with another client id", connect("other")));
  }

  private static Stream<Arguments> fixedHeaderCases() {
    byte[] connect = connect("c");
    byte[] withFlags = Arrays.copyOf(connect, connect.length);
    withFlags[0] = 0x12;
    return Stream.of(
        first("MQTT-2.2.2-2 CONNECT with flags 0010", withFlags),
        connected("MQTT-3.3.1-2 DUP on a QoS 0 PUBLISH", publish(0x08, utf8("a"), 0, utf8("x"))),
        connected("MQTT-3.3.1-4 PUBLISH with QoS 3", hex("36 06 00 01 61 00 01 78")),
        connected("MQTT-3.3.1-4 PUBLISH with QoS 3, DUP and RETAIN", hex("3F 06 00 01 61 00 01 78")),
        connected("MQTT-3.6.1-1 PUBREL with flags 0000", ack(0x60, 1)),
        connected("MQTT-3.6.1-1 PUBREL with flags 0011", ack(0x63, 1)),
        connected("MQTT-3.6.1-1 PUBREL with flags 1010", ack(0x6A, 1)),
        connected("MQTT-3.8.1-1 SUBSCRIBE with flags 0000", hex("80 06 00 01 00 01 61 00")),
        connected("MQTT-3.8.1-1 SUBSCRIBE with flags 0011", hex("83 06 00 01 00 01 61 00")),
        connected("MQTT-3.8.1-1 SUBSCRIBE with flags 1010", hex("8A 06 00 01 00 01 61 00")),
        connected("MQTT-3.10.1-1 UNSUBSCRIBE with flags 0000", hex("A0 05 00 01 00 01 61")),
        connected("MQTT-3.10.1-1 UNSUBSCRIBE with flags 0011", hex("A3 05 00 01 00 01 61")),
        connected("MQTT-2.2.2-2 PINGREQ with flags 0001", hex("C1 00")),
        connected("MQTT-2.2.2-2 PINGREQ with flags 1000", hex("C8 00")),
        connected("MQTT-2.2.2-2 DISCONNECT with flags 0010", hex("E2 00")),
        connected("MQTT-2.2.2-2 DISCONNECT with flags 0001", hex("E1 00")),
        connected("MQTT-2.2.2-2 PUBACK with flags 1000", ack(0x48, 1)),
        connected("MQTT-2.2.2-2 PUBACK with flags 0010", ack(0x42, 1)),
        connected("MQTT-2.2.2-2 PUBREC with flags 0010", ack(0x52, 1)),
        connected("MQTT-2.2.2-2 PUBCOMP with flags 0001", ack(0x71, 1)));
  }

  private static Stream<Arguments> packetIdCases() {
    return Stream.of(
        connected("MQTT-2.3.1-1 QoS 1 PUBLISH with packet id 0",
            publish(0x02, utf8("a"), 0, utf8("x"))),
        connected("MQTT-2.3.1-1 QoS 2 PUBLISH with packet id 0",
            publish(0x04, utf8("a"), 0, utf8("x"))),
        connected("MQTT-2.3.1-1 SUBSCRIBE with packet id 0", subscribe(0, "a", 0)),
        connected("MQTT-2.3.1-1 UNSUBSCRIBE with packet id 0", unsubscribe(0, "a")),
        connected("MQTT-2.3.1-1 PUBACK without packet id", hex("40 00")),
        connected("MQTT-2.3.1-1 PUBREL without packet id", hex("62 00")),
        connected("MQTT-2.3.1-1 SUBSCRIBE without packet id", hex("82 00")),
        connected("MQTT-2.3.1-1 QoS 1 PUBLISH cut inside its packet id", hex("32 04 00 01 61 00")));
  }

  private static Stream<Arguments> subscribeCases() {
    return Stream.of(
        connected("MQTT-3.8.3-3 SUBSCRIBE without topic filters", hex("82 02 00 01")),
        connected("MQTT-3.10.3-2 UNSUBSCRIBE without topic filters", hex("A2 02 00 01")),
        connected("MQTT-3.8.3-4 SUBSCRIBE with requested QoS 3", subscribe(1, "a", 3)),
        connected("MQTT-3.8.3-4 SUBSCRIBE with second filter QoS 3",
            subscribe(1, "a", 0, "b", 3)),
        connected("MQTT-3.8.3-4 SUBSCRIBE options bit 2 set", subscribe(1, "a", 0x04)),
        connected("MQTT-3.8.3-4 SUBSCRIBE options bit 3 set", subscribe(1, "a", 0x09)),
        connected("MQTT-3.8.3-4 SUBSCRIBE options bits 4-5 set", subscribe(1, "a", 0x30)),
        connected("MQTT-3.8.3-4 SUBSCRIBE options bit 6 set", subscribe(1, "a", 0x41)),
        connected("MQTT-3.8.3-4 SUBSCRIBE options bit 7 set", subscribe(1, "a", 0x82)),
        connected("MQTT-3.8.3-4 SUBSCRIBE options byte FF", subscribe(1, "a", 0xFF)),
        connected("MQTT-3.8.3-1 SUBSCRIBE filter without its options byte",
            hex("82 05 00 01 00 01 61")),
        connected("MQTT-1.5.3-2 SUBSCRIBE filter with U+0000", subscribe(1, hex("61 00"), 0)),
        connected("MQTT-1.5.3-1 SUBSCRIBE filter with surrogate D800",
            subscribe(1, hex("ED A0 80"), 0)),
        connected("MQTT-1.5.3-1 SUBSCRIBE filter with byte FE", subscribe(1, hex("FE"), 0)),
        connected("MQTT-1.5.3-1 second SUBSCRIBE filter ill-formed",
            subscribe(1, "ok", 0, hex("C0 80"), 0)),
        connected("MQTT-1.5.3-2 UNSUBSCRIBE filter with U+0000", unsubscribe(1, hex("00"))),
        connected("MQTT-1.5.3-1 UNSUBSCRIBE filter with surrogate DC00",
            unsubscribe(1, hex("ED B0 80"))),
        connected("MQTT-1.5.3-1 UNSUBSCRIBE filter with overlong NUL",
            unsubscribe(1, hex("C0 80"))));
  }

  private static Stream<Arguments> topicNameCases() {
    return Stream.of(
        badTopic("MQTT-1.5.3-2 PUBLISH topic with U+0000", hex("61 00 62")),
        badTopic("MQTT-1.5.3-1 PUBLISH topic with byte FF", hex("61 FF 62")),
        badTopic("MQTT-1.5.3-1 PUBLISH topic with continuation byte alone", hex("80")),
        badTopic("MQTT-1.5.3-1 PUBLISH topic with overlong NUL", hex("C0 80")),
        badTopic("MQTT-1.5.3-1 PUBLISH topic with overlong '/'", hex("E0 80 AF")),
        badTopic("MQTT-1.5.3-1 PUBLISH topic with surrogate D800", hex("ED A0 80")),
        badTopic("MQTT-1.5.3-1 PUBLISH topic with surrogate DFFF", hex("ED BF BF")),
        badTopic("MQTT-1.5.3-1 PUBLISH topic above U+10FFFF", hex("F4 90 80 80")),
        badTopic("MQTT-1.5.3-1 PUBLISH topic with truncated sequence", hex("61 E2 82")),
        badTopic("MQTT-3.3.2-2 PUBLISH topic '+'", utf8("+")),
        badTopic("MQTT-3.3.2-2 PUBLISH topic 'a/+/b'", utf8("a/+/b")),
        badTopic("MQTT-3.3.2-2 PUBLISH topic '#'", utf8("#")),
        badTopic("MQTT-3.3.2-2 PUBLISH topic 'a/#'", utf8("a/#")),
        badTopic("MQTT-4.7.3-1 PUBLISH with empty topic", new byte[0]),
        badTopic("1.5.3 PUBLISH topic with control character U+0001", hex("61 01")),
        badTopic("1.5.3 PUBLISH topic with control character U+001F", hex("1F")),
        badTopic("1.5.3 PUBLISH topic with control character U+007F", hex("61 7F 62")),
        badTopic("1.5.3 PUBLISH topic with control character U+0080", hex("C2 80")),
        badTopic("1.5.3 PUBLISH topic with control character U+009F", hex("61 C2 9F")),
        connected("MQTT-3.3.2-2 QoS 1 PUBLISH topic with '#' (no PUBACK)",
            publish(0x02, utf8("#"), 7, utf8("x"))),
        connected("MQTT-1.5.3-1 retained QoS 2 PUBLISH with ill-formed topic (no PUBREC)",
            publish(0x05, hex("FF"), 7, utf8("x"))));
  }

  private static Stream<Arguments> framingCases() {
    return Stream.of(
        connected("MQTT-2.2.3 Remaining Length of five bytes", hex("30 FF FF FF FF 7F")),
        connected("MQTT-2.2.3 Remaining Length of five bytes on PINGREQ",
            hex("C0 80 80 80 80 01")),
        first("MQTT-2.2.3 Remaining Length of five bytes on CONNECT", hex("10 80 80 80 80 00")),
        connected("MQTT-4.8.0-1 SUBSCRIBE longer than its data, swallowing the next packet",
            hex("82 08 00 01 00 01 61 00")),
        connected("MQTT-4.8.0-1 UNSUBSCRIBE longer than its data, swallowing the next packet",
            hex("A2 07 00 01 00 01 61")),
        connected("MQTT-4.8.0-1 PUBACK longer than its data, swallowing the next packet",
            hex("40 04 00 01")),
        first("MQTT-4.8.0-1 CONNECT longer than its data, swallowing the next packet",
            longer(connect("c"), 2)),
        connected("MQTT-4.8.0-1 PUBLISH topic length beyond the packet", hex("30 03 00 05 61")),
        connected("MQTT-4.8.0-1 PUBLISH too short for a topic length", hex("30 01 00")),
        connected("MQTT-4.8.0-1 PINGREQ with a body", hex("C0 01 00")),
        connected("MQTT-4.8.0-1 DISCONNECT with a body", hex("E0 01 00")),
        connected("MQTT-4.8.0-1 PUBACK with a trailing byte", hex("40 03 00 01 00")),
        first("MQTT-4.8.0-1 CONNECT cut inside its protocol name", hex("10 04 00 04 4D 51")));
  }

  private static Stream<Arguments> packetTypeCases() {
    return Stream.of(
        connected("MQTT-4.8.0-1 CONNACK from the client", connAck(0)),
        connected("MQTT-4.8.0-1 SUBACK from the client", hex("90 03 00 01 00")),
        connected("MQTT-4.8.0-1 UNSUBACK from the client", hex("B0 02 00 01")),
        connected("MQTT-4.8.0-1 PINGRESP from the client", PINGRESP),
        connected("MQTT-2.2.1 reserved packet type 0", hex("00 00")),
        connected("MQTT-2.2.1 reserved packet type 0 with a body", hex("00 02 00 01")),
        connected("MQTT-2.2.1 reserved packet type 15", hex("F0 00")),
        first("MQTT-2.2.1 reserved packet type 0 before CONNECT", hex("00 00")),
        first("MQTT-2.2.1 reserved packet type 15 before CONNECT", hex("F0 00")));
  }

  // ---------------------------------------------------------------- what is accepted

  /**
   * Control characters outside topic names are only a SHOULD NOT (1.5.3): Courier accepts them in
   * a client id and in a topic filter. Asserted so that a change of policy is a visible decision.
   */
  @Test
  void whenClientIdAndFilterHaveControlCharacters_thenAccepted() {
    EmbeddedChannel channel = harness.channel();
    harness.feed(channel,
        connect("MQTT", 4, 0x82, hex("63 01 7F C2 80"), null, null, hex("75 1F"), null));
    assertThat(written(channel)).isEqualTo(connAck(0));

    harness.feed(channel, subscribe(1, hex("61 2F 01"), 0), PINGREQ);

    harness.settle();

    // SUBACK comes once the bridge has the subscription, so it may follow the PINGRESP.
    byte[] subAck = hex("90 03 00 01 00");
    assertThat(hex(written(channel))).isIn(hex(concat(subAck, PINGRESP)),
        hex(concat(PINGRESP, subAck)));
    assertThat(channel.isActive()).isTrue();
  }

  /** The refusals above are precise: the nearest valid inputs are accepted and routed. */
  @Test
  void whenTopicIsValidButUnusual_thenRouted() {
    EmbeddedChannel watcher = harness.connected("watcher");
    harness.feed(watcher, subscribe(1, "#", 0));
    written(watcher);
    EmbeddedChannel channel = harness.connected("publisher");

    // U+00A0 (after the C1 controls), U+FEFF (must not be stripped [MQTT-1.5.3-3]), U+10FFFF,
    // a space and empty levels.
    byte[] topic = hex("C2 A0 2F EF BB BF 2F F4 8F BF BF 2F 20 2F 2F");
    harness.feed(channel, publish(0, topic, 0, utf8("x")), PINGREQ);
    harness.settle();

    assertThat(written(channel)).isEqualTo(PINGRESP);
    byte[] delivered = written(watcher);
    assertThat(delivered).hasSize(2 + 2 + topic.length + 1);
    assertThat(Arrays.copyOfRange(delivered, 4, 4 + topic.length)).isEqualTo(topic);
  }

  // ---------------------------------------------------------------- helpers

  private static Arguments first(String name, byte[] bytes) {
    return first(name, bytes, NO_ANSWER);
  }

  private static Arguments first(String name, byte[] bytes, byte[] answer) {
    return Arguments.of(Named.of(name, new Case(name, Phase.FIRST, bytes, answer)));
  }

  private static Arguments connected(String name, byte[] bytes) {
    return Arguments.of(Named.of(name, new Case(name, Phase.CONNECTED, bytes, NO_ANSWER)));
  }

  /** A QoS 0 PUBLISH with the topic given as raw bytes. */
  private static Arguments badTopic(String name, byte[] topic) {
    return connected(name, publish(0, topic, 0, utf8("x")));
  }

  private static byte[] plainConnect(byte[] clientId) {
    return connect("MQTT", 4, 0x02, clientId, null, null, null, null);
  }

  private static byte[] willConnect(byte[] willTopic) {
    return connect("MQTT", 4, 0x0E, utf8("c"), willTopic, utf8("bye"), null, null);
  }

  /** The packet with its (one-byte) Remaining Length raised by {@code extra}: data too short. */
  private static byte[] longer(byte[] packet, int extra) {
    byte[] copy = Arrays.copyOf(packet, packet.length);
    copy[1] = (byte) (copy[1] + extra);
    return copy;
  }

  /** Another client on the same registry and bridge still connects and pings. */
  private void assertOthersStillServed() {
    EmbeddedChannel healthy = harness.connected("healthy-" + ++healthyClients);
    harness.feed(healthy, PINGREQ);
    assertThat(written(healthy)).isEqualTo(PINGRESP);
    assertThat(healthy.isActive()).isTrue();
    healthy.close();
  }
}

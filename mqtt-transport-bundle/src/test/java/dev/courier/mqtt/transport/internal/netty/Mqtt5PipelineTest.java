package dev.courier.mqtt.transport.internal.netty;

import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.concat;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.hex;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.packet;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.prefixed;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.publish;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.utf8;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.written;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT 5.0 packets as bytes through the real pipeline (frame validator, codec, engine), where the
 * property sections move every field after them: the unit tests of the flows start from decoded
 * messages and cannot see a framing layer that reads a 5.0 packet as a 3.1.1 one.
 */
class Mqtt5PipelineTest {

  private final PipelineHarness harness = new PipelineHarness(TransportConfig.defaults());

  @AfterEach
  void releaseEverything() {
    harness.closeChannels();
    assertThat(harness.unreleasedInputs()).as("input buffers released").isEmpty();
    assertThat(harness.unexpectedErrors()).isEmpty();
    harness.shutdown();
  }

  /** A 5.0 CONNECT, clean start, keep alive 60, no properties; returns the CONNACK's bytes. */
  private EmbeddedChannel connected(String clientId) {
    EmbeddedChannel channel = harness.channel();
    harness.feed(channel, packet(0x10, concat(prefixed(utf8("MQTT")),
        hex("05 02 00 3C 00"), prefixed(utf8(clientId)))));
    byte[] connAck = written(channel);
    assertThat(connAck[0]).isEqualTo((byte) 0x20);
    assertThat(connAck[3]).as("CONNACK reason code").isEqualTo((byte) 0x00);
    return channel;
  }

  @Test
  void whenSubscribeCarriesProperties_thenSubAckAndDeliveryCarryTheSubscriptionIdentifier() {
    EmbeddedChannel subscriber = connected("sub5");
    // SUBSCRIBE id 1, properties: Subscription Identifier (0x0B) = 7; filter "t/#", QoS 1, No Local.
    harness.feed(subscriber, packet(0x82, concat(hex("00 01 02 0B 07"), prefixed(utf8("t/#")),
        hex("05"))));
    assertThat(hex(written(subscriber))).isEqualTo("90 04 00 01 00 01");

    EmbeddedChannel publisher = connected("pub5");
    // PUBLISH QoS 1 "t/a", id 9, properties: Content Type "x"; payload "hi".
    harness.feed(publisher, packet(0x32, concat(prefixed(utf8("t/a")), hex("00 09"),
        hex("04 03 00 01 78"), utf8("hi"))));
    harness.settle();
    assertThat(hex(written(publisher))).as("PUBACK").startsWith("40");

    byte[] delivery = written(subscriber);
    assertThat(delivery[0] & 0xF0).as("PUBLISH").isEqualTo(0x30);
    String bytes = hex(delivery);
    assertThat(bytes).as("Content Type passed through").contains("03 00 01 78");
    assertThat(bytes).as("Subscription Identifier 7").contains("0b 07");
    assertThat(bytes).endsWith("68 69");
  }

  @Test
  void whenAPublishCarriesOnlyUserProperties_thenTheSubscriberGetsThemInOrder() {
    EmbeddedChannel subscriber = connected("sub5u");
    harness.feed(subscriber, packet(0x82, concat(hex("00 01 00"), prefixed(utf8("u")),
        hex("00"))));
    written(subscriber);
    EmbeddedChannel publisher = connected("pub5u");
    // PUBLISH QoS 0 "u", properties: User Property ("k", "1"), User Property ("k", "2").
    harness.feed(publisher, packet(0x30, concat(prefixed(utf8("u")),
        hex("0E 26 00 01 6B 00 01 31 26 00 01 6B 00 01 32"), utf8("p"))));
    harness.settle();

    assertThat(hex(written(subscriber)))
        .isEqualTo("30 13 00 01 75 0e 26 00 01 6b 00 01 31 26 00 01 6b 00 01 32 70");
  }

  @Test
  void whenBothClientsSubscribeWithNoLocal_thenOnlyTheOtherOneGetsThePublication() {
    EmbeddedChannel a = connected("nl-a");
    EmbeddedChannel b = connected("nl-b");
    for (EmbeddedChannel client : new EmbeddedChannel[] {a, b}) {
      // SUBSCRIBE "nl" QoS 2 with No Local (bit 2).
      harness.feed(client, packet(0x82, concat(hex("00 01 00"), prefixed(utf8("nl")), hex("06"))));
      assertThat(hex(written(client))).isEqualTo("90 04 00 01 00 02");
    }
    harness.feed(a, packet(0x32, concat(prefixed(utf8("nl")), hex("00 05 00"), utf8("x"))));
    harness.settle();

    assertThat(hex(written(a))).as("a: its PUBACK only").startsWith("40").hasSize(11);
    assertThat(hex(written(b))).as("b: the PUBLISH").startsWith("32");
  }

  @Test
  void whenUnsubscribeCarriesAUserProperty_thenUnsubAckInMqtt5Form() {
    EmbeddedChannel client = connected("unsub5");
    harness.feed(client, packet(0x82, concat(hex("00 01 00"), prefixed(utf8("a/b")), hex("01"))));
    written(client);
    // UNSUBSCRIBE id 2, properties: User Property ("k", "v"); filter "a/b".
    harness.feed(client, packet(0xA2, concat(hex("00 02 07 26 00 01 6B 00 01 76"),
        prefixed(utf8("a/b")))));

    // UNSUBACK: packet id, property length, one reason code per filter (0x00 success).
    assertThat(hex(written(client))).isEqualTo("b0 04 00 02 00 00");
    assertThat(client.isOpen()).isTrue();
  }

  /**
   * [MQTT-3.4.2-2] a refused publication's PUBACK carries its Reason String, unless that would
   * make it larger than the client's Maximum Packet Size (here 47, one byte short).
   */
  @Test
  void whenPublishIsRefused_thenPubAckCarriesAReasonStringThatFitsTheMaximumPacketSize() {
    String text = "not authorized to publish to this topic";
    byte[] refused = publish(0x02, utf8("$courier/x"), 9, concat(hex("00"), utf8("x")));
    EmbeddedChannel roomy = connected("roomy5");
    EmbeddedChannel small = harness.channel();
    // CONNECT 5.0, clean start, keep alive 60, properties: Maximum Packet Size (0x27) = 47.
    harness.feed(small, packet(0x10, concat(prefixed(utf8("MQTT")),
        hex("05 02 00 3C 05 27 00 00 00 2F"), prefixed(utf8("small5")))));
    assertThat(written(small)[3]).as("CONNACK reason code").isEqualTo((byte) 0x00);

    harness.feed(roomy, refused);
    harness.feed(small, refused);
    harness.settle();

    // PUBACK id 9, 0x87, properties (42 bytes): Reason String (0x1F).
    assertThat(hex(written(roomy)))
        .isEqualTo("40 2e 00 09 87 2a 1f 00 27 " + hex(utf8(text)));
    assertThat(hex(written(small))).isEqualTo("40 04 00 09 87 00");
  }

  @ParameterizedTest(name = "options byte {0}")
  @ValueSource(strings = {"41", "81", "03", "31"})
  void whenSubscribeOptionsAreInvalid_thenTheConnectionIsClosed(String options) {
    EmbeddedChannel client = connected("bad5");
    // Reserved bit 6 or 7, QoS 3, Retain Handling 3 (MQTT 5.0 section 3.8.3.1).
    harness.feed(client, packet(0x82, concat(hex("00 01 00"), prefixed(utf8("a")),
        hex(options))));
    harness.settle();

    assertThat(client.isOpen()).isFalse();
  }

  /** Single-use properties sent twice: a Protocol Error, DISCONNECT 0x82 (section 2.2.2.2). */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      // PUBLISH QoS 0 "t", Content Type "x" twice
      "30 0C 00 01 74 08 03 00 01 78 03 00 01 78",
      // PUBLISH QoS 1 "t" id 1, Message Expiry Interval twice
      "32 10 00 01 74 00 01 0A 02 00 00 00 05 02 00 00 00 06",
      // SUBSCRIBE id 1, Subscription Identifier twice, filter "a" QoS 0
      "82 0A 00 01 04 0B 01 0B 02 00 01 61 00",
      // DISCONNECT 0x00 with Session Expiry Interval twice
      "E0 0C 00 0A 11 00 00 00 00 11 00 00 00 00",
      // PUBACK id 1, reason 0x00, Reason String twice
      "40 0B 00 01 00 07 1F 00 01 61 1F 00 01 62"})
  void whenASingleUsePropertyIsRepeated_thenDisconnect0x82(String packet) {
    EmbeddedChannel client = connected("twice5");
    harness.feed(client, hex(packet));
    harness.settle();

    byte[] disconnect = written(client);
    assertThat(disconnect[0]).as("DISCONNECT").isEqualTo((byte) 0xE0);
    assertThat(disconnect[2]).as("reason code").isEqualTo((byte) 0x82);
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void whenUserPropertiesAreRepeated_thenThatIsAllowed() {
    EmbeddedChannel client = connected("users5");
    // PUBLISH QoS 1 "t" id 1, User Property ("a","b") twice.
    harness.feed(client, hex("32 15 00 01 74 00 01 0E 26 00 01 61 00 01 62 26 00 01 61 00 01 62 78"));
    harness.settle();

    assertThat(hex(written(client))).startsWith("40");
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void whenAPacketIsMalformedAfterConnect_thenDisconnect0x81() {
    EmbeddedChannel client = connected("malformed5");
    // PUBLISH whose property length runs past the packet.
    harness.feed(client, hex("30 06 00 01 74 09 01 00"));
    harness.settle();

    byte[] disconnect = written(client);
    assertThat(disconnect[0]).as("DISCONNECT").isEqualTo((byte) 0xE0);
    assertThat(disconnect[2]).as("reason code").isEqualTo((byte) 0x81);
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void whenSubscribePropertiesOverrunThePacket_thenTheConnectionIsClosed() {
    EmbeddedChannel client = connected("overrun5");
    harness.feed(client, packet(0x82, concat(hex("00 01 09 0B 07"), prefixed(utf8("a")),
        hex("00"))));
    harness.settle();

    assertThat(client.isOpen()).isFalse();
  }
}

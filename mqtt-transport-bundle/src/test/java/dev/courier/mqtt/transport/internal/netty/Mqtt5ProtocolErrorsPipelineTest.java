package dev.courier.mqtt.transport.internal.netty;

import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.concat;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.hex;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.packet;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.prefixed;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.utf8;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.written;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 errors a client makes, as bytes through the real pipeline, and the DISCONNECT each
 * earns (section 4.13): topic alias 0 or above the maximum (0x94), an empty topic without a known
 * alias, Subscription Identifier 0 or one on a client's PUBLISH and No Local on a shared
 * subscription (0x82), a ShareName with a wildcard (0x8F), Receive Maximum or Maximum Packet Size 0
 * in CONNECT (CONNACK 0x82); with Request
 * Problem Information 0 the DISCONNECT carries no reason string [MQTT-3.1.2-29], otherwise it does.
 */
class Mqtt5ProtocolErrorsPipelineTest {

  /** The CONNECT properties: none, or Request Problem Information (0x17) = 0. */
  private static final String NO_PROPERTIES = "00";
  private static final String NO_PROBLEM_INFORMATION = "02 17 00";

  private final PipelineHarness harness = new PipelineHarness(TransportConfig.defaults());

  @AfterEach
  void releaseEverything() {
    harness.closeChannels();
    assertThat(harness.unreleasedInputs()).as("input buffers released").isEmpty();
    assertThat(harness.unexpectedErrors()).isEmpty();
    harness.shutdown();
  }

  /** A 5.0 CONNECT, clean start, keep alive 60, with {@code properties}; CONNACK read. */
  private EmbeddedChannel connected(String clientId, String properties) {
    EmbeddedChannel channel = harness.channel();
    harness.feed(channel, packet(0x10, concat(prefixed(utf8("MQTT")), hex("05 02 00 3C"),
        hex(properties), prefixed(utf8(clientId)))));
    byte[] connAck = written(channel);
    assertThat(connAck[0]).isEqualTo((byte) 0x20);
    assertThat(connAck[3]).as("CONNACK reason code").isEqualTo((byte) 0x00);
    return channel;
  }

  /** Feeds {@code bytes} and returns the DISCONNECT the server answered with, then closed. */
  private byte[] disconnectAfter(EmbeddedChannel channel, byte[] bytes) {
    harness.feed(channel, bytes);
    harness.settle();
    byte[] disconnect = written(channel);
    assertThat(disconnect.length).as("a DISCONNECT was written").isGreaterThanOrEqualTo(3);
    assertThat(disconnect[0]).as("DISCONNECT").isEqualTo((byte) 0xE0);
    assertThat(channel.isOpen()).isFalse();
    return disconnect;
  }

  /** PUBLISH QoS 0 to {@code topic} with Topic Alias (0x23) {@code alias}, payload "x". */
  private static byte[] aliased(String topic, int alias) {
    return packet(0x30, concat(prefixed(utf8(topic)),
        hex(String.format("03 23 %02X %02X", alias >> 8, alias & 0xFF)), utf8("x")));
  }

  @Test
  void whenTopicAliasIs0_thenDisconnect0x94WithAReasonString() {
    EmbeddedChannel client = connected("alias0", NO_PROPERTIES);
    byte[] disconnect = disconnectAfter(client, aliased("t", 0));

    assertThat(disconnect[2]).as("reason code").isEqualTo((byte) 0x94);
    assertThat(hex(disconnect)).as("Reason String property").contains(" 1f ");
  }

  @Test
  void whenRequestProblemInformationIs0_thenTheDisconnectHasNoReasonString() {
    EmbeddedChannel client = connected("quiet", NO_PROBLEM_INFORMATION);
    byte[] disconnect = disconnectAfter(client, aliased("t", 0));

    assertThat(hex(disconnect)).isEqualTo("e0 02 94 00");
  }

  @Test
  void whenTopicAliasIsAboveTheMaximum_thenDisconnect0x94() {
    EmbeddedChannel client = connected("aliasbig", NO_PROPERTIES);
    int maximum = TransportConfig.defaults().topicAliasMaximum();
    byte[] disconnect = disconnectAfter(client, aliased("t", maximum + 1));

    assertThat(disconnect[2]).isEqualTo((byte) 0x94);
  }

  @Test
  void whenTopicIsEmptyAndItsAliasWasNeverSet_thenDisconnect0x82() {
    EmbeddedChannel client = connected("unknownalias", NO_PROPERTIES);
    byte[] disconnect = disconnectAfter(client, aliased("", 1));

    assertThat(disconnect[2]).isEqualTo((byte) 0x82);
  }

  @Test
  void whenTopicIsEmptyWithoutAnAlias_thenDisconnect0x82() {
    EmbeddedChannel client = connected("emptytopic", NO_PROPERTIES);
    byte[] disconnect = disconnectAfter(client,
        packet(0x30, concat(prefixed(utf8("")), hex("00"), utf8("x"))));

    assertThat(disconnect[2]).isEqualTo((byte) 0x82);
  }

  @Test
  void whenAnAliasIsSetThenUsed_thenTheSubscriberGetsTheFullTopicBothTimes() {
    EmbeddedChannel subscriber = connected("aliassub", NO_PROPERTIES);
    harness.feed(subscriber, packet(0x82, concat(hex("00 01 00"), prefixed(utf8("t/a")),
        hex("00"))));
    written(subscriber);
    EmbeddedChannel publisher = connected("aliaspub", NO_PROPERTIES);

    harness.feed(publisher, concat(aliased("t/a", 3), aliased("", 3)));
    harness.settle();

    String delivered = hex(written(subscriber));
    String oneDelivery = hex(concat(hex("30 07"), prefixed(utf8("t/a")), hex("00"), utf8("x")));
    assertThat(delivered).isEqualTo(oneDelivery + " " + oneDelivery);
    assertThat(publisher.isOpen()).isTrue();
  }

  @Test
  void whenSubscriptionIdentifierIs0_thenDisconnect0x82() {
    EmbeddedChannel client = connected("subid0", NO_PROPERTIES);
    byte[] disconnect = disconnectAfter(client,
        packet(0x82, concat(hex("00 01 02 0B 00"), prefixed(utf8("a")), hex("01"))));

    assertThat(disconnect[2]).isEqualTo((byte) 0x82);
  }

  @Test
  void whenASharedSubscriptionHasNoLocal_thenDisconnect0x82() {
    EmbeddedChannel client = connected("sharednl", NO_PROPERTIES);
    // Options 0x05: QoS 1 and No Local [MQTT-3.8.3-4].
    byte[] disconnect = disconnectAfter(client,
        packet(0x82, concat(hex("00 01 00"), prefixed(utf8("$share/g/a")), hex("05"))));

    assertThat(disconnect[2]).isEqualTo((byte) 0x82);
  }

  @Test
  void whenAShareNameHoldsAWildcard_thenDisconnect0x8f() {
    EmbeddedChannel client = connected("sharename", NO_PROPERTIES);
    byte[] disconnect = disconnectAfter(client,
        packet(0x82, concat(hex("00 01 00"), prefixed(utf8("$share/a+b/t")), hex("01"))));

    assertThat(disconnect[2]).isEqualTo((byte) 0x8F);
  }

  @Test
  void whenAClientPublishCarriesASubscriptionIdentifier_thenDisconnect0x82() {
    EmbeddedChannel client = connected("pubsubid", NO_PROPERTIES);
    // [MQTT-3.3.4-6] a PUBLISH from a client must not carry one.
    byte[] disconnect = disconnectAfter(client,
        packet(0x30, concat(prefixed(utf8("t")), hex("02 0B 01"), utf8("x"))));

    assertThat(disconnect[2]).isEqualTo((byte) 0x82);
  }

  @Test
  void whenConnectSaysReceiveMaximum0_thenConnAck0x82() {
    assertThat(connAckCode("rm0", "03 21 00 00")).isEqualTo((byte) 0x82);
  }

  @Test
  void whenConnectSaysMaximumPacketSize0_thenConnAck0x82() {
    assertThat(connAckCode("mps0", "05 27 00 00 00 00")).isEqualTo((byte) 0x82);
  }

  /** The CONNACK reason code for a 5.0 CONNECT with {@code properties}; the channel closes. */
  private byte connAckCode(String clientId, String properties) {
    EmbeddedChannel channel = harness.channel();
    harness.feed(channel, packet(0x10, concat(prefixed(utf8("MQTT")), hex("05 02 00 3C"),
        hex(properties), prefixed(utf8(clientId)))));
    harness.settle();
    byte[] connAck = written(channel);
    assertThat(connAck[0]).as("CONNACK").isEqualTo((byte) 0x20);
    assertThat(channel.isOpen()).isFalse();
    return connAck[3];
  }
}

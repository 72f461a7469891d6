package dev.courier.mqtt.transport.internal.protocol.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link PacketSize} against the bytes Netty's encoder writes for 5.0 packets. */
class PacketSizeTest {

  private final EmbeddedChannel channel = new EmbeddedChannel(MqttEncoder.INSTANCE);

  PacketSizeTest() {
    // The encoder writes properties only once it has seen a 5.0 CONNECT on the channel.
    channel.writeOutbound(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5)
        .clientId("c").build());
    ((ByteBuf) channel.readOutbound()).release();
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  @ParameterizedTest(name = "topic \"{0}\", QoS {1}, alias {2}, payload {3}")
  @CsvSource({"'', 0, 1, 10", "'', 1, 7, 0", "sized/topic, 0, 1, 92", "sized/topic, 2, 0, 5",
      "a/b, 1, 65535, 200"})
  void whenPublishIsEncoded_thenItsSizeIsTheComputedOne(String topic, int qos, int alias,
      int payload) {
    MqttProperties properties = alias == 0 ? null
        : OutboundProperties.publish(MessageProperties.NONE,
            new int[0], alias, 0);

    assertThat(encodedSize(topic, qos, payload, properties))
        .isEqualTo(PacketSize.publish(topic, qos, payload, properties));
  }

  @Test
  void whenPublishHasSeveralProperties_thenItsSizeIsTheComputedOne() {
    MqttProperties properties = new MqttProperties();
    OutboundProperties.integer(properties, MqttPropertyType.SUBSCRIPTION_IDENTIFIER, 300);
    OutboundProperties.string(properties, MqttPropertyType.CONTENT_TYPE, "text/plain");
    OutboundProperties.integer(properties, MqttPropertyType.TOPIC_ALIAS, 3);

    assertThat(encodedSize("", 1, 40, properties))
        .isEqualTo(PacketSize.publish("", 1, 40, properties));
  }

  @ParameterizedTest(name = "reason string of {0} characters")
  @ValueSource(ints = {1, 39, 120, 130, 20_000})
  void whenAckHasAReasonString_thenItsSizeIsTheComputedOne(int characters) {
    String reason = "é".repeat(characters / 2) + "x".repeat(characters - characters / 2);
    int bytes = ByteBufUtil.utf8Bytes(reason);
    PacketWriter writer = Mqtt5Writer.INSTANCE;

    assertThat(encodedSize(writer.ack(MqttMessageType.PUBACK, 7, ReasonCode.NOT_AUTHORIZED,
        reason))).as("PUBACK").isEqualTo(PacketSize.withReasonString(3, bytes));
    assertThat(encodedSize(writer.ack(MqttMessageType.PUBREL, 7,
        ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, reason))).as("PUBREL")
        .isEqualTo(PacketSize.withReasonString(3, bytes));
    assertThat(encodedSize(writer.subAck(7, new int[] {1, 0x87, 0x8F}, reason))).as("SUBACK")
        .isEqualTo(PacketSize.withReasonString(2 + 3, bytes));
    assertThat(encodedSize(writer.unsubAck(7, new int[] {0x11, 0}, reason))).as("UNSUBACK")
        .isEqualTo(PacketSize.withReasonString(2 + 2, bytes));
    assertThat(encodedSize(writer.connAckRefused(ReasonCode.NOT_AUTHORIZED, reason)))
        .as("CONNACK").isEqualTo(PacketSize.withReasonString(2, bytes));
    assertThat(encodedSize(writer.disconnect(ReasonCode.PROTOCOL_ERROR, reason)))
        .as("DISCONNECT").isEqualTo(PacketSize.withReasonString(1, bytes));
  }

  private long encodedSize(MqttMessage message) {
    channel.writeOutbound(message);
    ByteBuf encoded = channel.readOutbound();
    try {
      return encoded.readableBytes();
    } finally {
      encoded.release();
    }
  }

  private long encodedSize(String topic, int qos, int payload, MqttProperties properties) {
    channel.writeOutbound(new MqttPublishMessage(
        new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), false, 0),
        new MqttPublishVariableHeader(topic, qos == 0 ? -1 : 1,
            properties == null ? MqttProperties.NO_PROPERTIES : properties),
        Unpooled.wrappedBuffer(new byte[payload])));
    ByteBuf encoded = channel.readOutbound();
    try {
      return encoded.readableBytes();
    } finally {
      encoded.release();
    }
  }
}

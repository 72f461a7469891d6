package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fast PUBLISH encoder writes exactly the bytes Netty's {@code MqttEncoder} writes, for both
 * protocol levels, every QoS, DUP and RETAIN, topics with multi-byte characters and payloads whose
 * Remaining Length needs one to three bytes; a PUBLISH with properties, and every other packet, is
 * left to Netty's encoder, which it calls itself (it is the pipeline's only encoder).
 */
class PublishEncoderTest {

  private static final AttributeKey<MqttVersion> VERSION =
      AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

  private static byte[] encode(MqttMessage message, MqttVersion version, boolean fast) {
    EmbeddedChannel channel = fast
        ? new EmbeddedChannel(PublishEncoder.INSTANCE)
        : new EmbeddedChannel(MqttEncoder.INSTANCE);
    if (version != null) {
      channel.attr(VERSION).set(version);
    }
    channel.writeOutbound(message);
    ByteBuf out = Unpooled.buffer();
    for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
      out.writeBytes(part);
      part.release();
    }
    channel.finishAndReleaseAll();
    return ByteBufUtil.getBytes(out);
  }

  private static MqttPublishMessage publish(String topic, int qos, boolean dup, boolean retain,
      int packetId, byte[] payload, MqttProperties properties) {
    return new MqttPublishMessage(
        new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), retain, 0),
        new MqttPublishVariableHeader(topic, packetId, properties),
        Unpooled.wrappedBuffer(payload));
  }

  @ParameterizedTest
  @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1", "MQTT_3_1_1", "MQTT_5"})
  void whenPublishHasNoProperties_thenBytesEqualNettysEncoder(MqttVersion version) {
    Random random = new Random(42);
    String[] topics = {"a", "sensors/eu/temp", "t/€/日本", "x".repeat(300)};
    int[] sizes = {0, 1, 100, 200, 16_000, 20_000, 2_100_000};
    for (String topic : topics) {
      for (int size : sizes) {
        for (int qos = 0; qos <= 2; qos++) {
          byte[] payload = new byte[size];
          random.nextBytes(payload);
          boolean dup = qos > 0 && random.nextBoolean();
          boolean retain = random.nextBoolean();
          int id = qos == 0 ? 0 : 1 + random.nextInt(65_535);
          byte[] expected = encode(publish(topic, qos, dup, retain, id, payload,
              MqttProperties.NO_PROPERTIES), version, false);
          byte[] actual = encode(publish(topic, qos, dup, retain, id, payload,
              MqttProperties.NO_PROPERTIES), version, true);
          assertThat(actual).as("%s topic %s size %d qos %d", version, topic.length(), size, qos)
              .isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void whenPublishHasProperties_thenNettysEncoderWritesIt() {
    MqttProperties properties = new MqttProperties();
    properties.add(new MqttProperties.IntegerProperty(
        MqttProperties.MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value(), 30));
    byte[] payload = "hi".getBytes(StandardCharsets.UTF_8);

    assertThat(PublishEncoder.INSTANCE.acceptOutboundMessage(
        publish("t", 1, false, false, 5, payload, properties))).isFalse();
    byte[] fast = encode(publish("t", 1, false, false, 5, payload, properties),
        MqttVersion.MQTT_5, true);
    byte[] netty = encode(publish("t", 1, false, false, 5, payload, properties),
        MqttVersion.MQTT_5, false);
    assertThat(fast).isEqualTo(netty);
    assertThat(ByteBufUtil.hexDump(fast)).contains("02000000" + "1e");
  }

  /** The 3.x CONNACK written here, for every return code; 5.0 and no level yet as Netty's. */
  @ParameterizedTest
  @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1", "MQTT_3_1_1", "MQTT_5"})
  void whenPacketIsConnAck_thenBytesEqualNettysEncoder(MqttVersion version) {
    for (MqttVersion level : new MqttVersion[] {version, null}) {
      for (MqttConnectReturnCode code : MqttConnectReturnCode.values()) {
        for (boolean present : new boolean[] {false, true}) {
          byte[] expected = encode(MqttMessageBuilders.connAck().returnCode(code)
              .sessionPresent(present).build(), level, false);
          byte[] actual = encode(MqttMessageBuilders.connAck().returnCode(code)
              .sessionPresent(present).build(), level, true);
          assertThat(actual).as("%s %s present %s", level, code, present).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void whenPacketIsNoPublish_thenNettysEncoderWritesItAndNothingIsLeaked() {
    EmbeddedChannel channel = new EmbeddedChannel(PublishEncoder.INSTANCE);
    channel.attr(VERSION).set(MqttVersion.MQTT_3_1_1);
    channel.writeOutbound(MqttMessage.PINGRESP,
        MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
            .sessionPresent(true).build(),
        MqttMessageBuilders.pubAck().packetId((short) 0x1234).build());
    ByteBuf out = Unpooled.buffer();
    for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
      out.writeBytes(part);
      part.release();
    }

    assertThat(ByteBufUtil.hexDump(out)).isEqualTo("d000" + "20020100" + "40021234");
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void whenTopicsChangeFromOnePublishToTheNext_thenEachIsWrittenAsItsOwn() {
    String[] topics =
        {"x/\u00e9", "x/e", "x/\u00e9", "x/\u00e9", "longer/topic/\u00fc\u20ac", "x/e"};
    for (MqttVersion version : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5}) {
      for (String topic : topics) {
        byte[] payload = topic.getBytes(StandardCharsets.UTF_8);
        assertThat(encode(publish(topic, 1, false, false, 7, payload,
            MqttProperties.NO_PROPERTIES), version, true))
            .as("%s at %s", topic, version)
            .isEqualTo(encode(publish(topic, 1, false, false, 7, payload,
                MqttProperties.NO_PROPERTIES), version, false));
      }
    }
  }
}

package dev.courier.mqtt.transport.internal.protocol.dialect;

import dev.courier.mqtt.transport.spi.bridge.Delivery;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;

/** What both writers build the same way. */
final class Packets {

  /** PINGRESP has no variable header in any version. */
  static final MqttMessage PINGRESP =
      new MqttMessage(fixed(MqttMessageType.PINGRESP, MqttQoS.AT_MOST_ONCE));

  private Packets() {}

  /** A PUBLISH; the encoder writes {@code properties} only on a 5.0 channel. */
  static MqttPublishMessage publish(Delivery delivery, String topic, int packetId, boolean dup,
      MqttProperties properties) {
    return new MqttPublishMessage(
        new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(delivery.qos()),
            delivery.retain(), 0),
        new MqttPublishVariableHeader(topic, packetId,
            properties == null ? MqttProperties.NO_PROPERTIES : properties),
        Unpooled.wrappedBuffer(delivery.payload()));
  }

  /** A fixed header without DUP and RETAIN; the encoder computes the remaining length. */
  static MqttFixedHeader fixed(MqttMessageType type, MqttQoS qos) {
    return new MqttFixedHeader(type, false, qos, false, 0);
  }

  /** [MQTT-3.6.1-1] PUBREL carries QoS 1 in its fixed header; the other acks carry 0. */
  static MqttQoS ackQos(MqttMessageType type) {
    return type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
  }
}

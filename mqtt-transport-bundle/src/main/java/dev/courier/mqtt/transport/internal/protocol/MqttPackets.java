package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.spi.bridge.Delivery;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;

/** Builds the packets the server sends. Stateless; shared fixed headers where Netty allows. */
final class MqttPackets {

  static final MqttMessage PINGRESP =
      new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE,
          false, 0));

  private MqttPackets() {}

  static MqttConnAckMessage connAck(MqttConnectReturnCode code, boolean sessionPresent) {
    return new MqttConnAckMessage(
        new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
        new MqttConnAckVariableHeader(code, sessionPresent));
  }

  static MqttPublishMessage publish(Delivery delivery, int packetId, boolean dup) {
    return new MqttPublishMessage(
        new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(delivery.qos()),
            delivery.retain(), 0),
        new MqttPublishVariableHeader(delivery.topic(), packetId),
        Unpooled.wrappedBuffer(delivery.payload()));
  }

  static MqttMessage ack(MqttMessageType type, int packetId) {
    // [MQTT-3.6.1-1] PUBREL carries QoS 1 in its fixed header; the other acks carry 0.
    MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
    return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0),
        MqttMessageIdVariableHeader.from(packetId));
  }

  static MqttSubAckMessage subAck(int packetId, int[] codes) {
    return new MqttSubAckMessage(
        new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
        MqttMessageIdVariableHeader.from(packetId), new MqttSubAckPayload(codes));
  }

  static MqttUnsubAckMessage unsubAck(int packetId) {
    return new MqttUnsubAckMessage(
        new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
        MqttMessageIdVariableHeader.from(packetId));
  }
}

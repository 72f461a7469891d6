package dev.courier.mqtt.transport.internal.protocol.dialect;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;

/** Fixed headers shared by both writers. */
final class Packets {

  private Packets() {}

  /** A fixed header without DUP and RETAIN; the encoder computes the remaining length. */
  static MqttFixedHeader fixed(MqttMessageType type, MqttQoS qos) {
    return new MqttFixedHeader(type, false, qos, false, 0);
  }

  /** [MQTT-3.6.1-1] PUBREL carries QoS 1 in its fixed header; the other acks carry 0. */
  static MqttQoS ackQos(MqttMessageType type) {
    return type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
  }
}

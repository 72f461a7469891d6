package dev.courier.mqtt.transport.internal.protocol;

import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;

/** A 5.0 CONNECT with the client's problem-information limits, and the properties of acks. */
final class Acks5 {

  private Acks5() {}

  /** A 5.0 CONNECT with Request Problem Information and Maximum Packet Size (-1: absent). */
  static MqttConnectMessage connect(String clientId, int problemInformation,
      int maximumPacketSize) {
    MqttProperties properties = new MqttProperties();
    if (problemInformation >= 0) {
      properties.add(new MqttProperties.IntegerProperty(
          MqttPropertyType.REQUEST_PROBLEM_INFORMATION.value(), problemInformation));
    }
    if (maximumPacketSize >= 0) {
      properties.add(new MqttProperties.IntegerProperty(
          MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), maximumPacketSize));
    }
    return MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5).clientId(clientId)
        .cleanSession(true).keepAlive(60).properties(properties).build();
  }

  /** The properties of a CONNACK, ack or DISCONNECT; none for the short form of a success ack. */
  static MqttProperties properties(MqttMessage message) {
    Object header = message.variableHeader();
    if (header instanceof MqttPubReplyMessageVariableHeader reply) {
      return reply.properties();
    }
    if (header instanceof MqttMessageIdAndPropertiesVariableHeader withProperties) {
      return withProperties.properties();
    }
    if (header instanceof MqttReasonCodeAndPropertiesVariableHeader withReason) {
      return withReason.properties();
    }
    if (header instanceof MqttConnAckVariableHeader connAck) {
      return connAck.properties();
    }
    return MqttProperties.NO_PROPERTIES;
  }

  /** The Reason String of a packet, or null. */
  static String reasonString(MqttMessage message) {
    MqttProperties.MqttProperty<?> property =
        properties(message).getProperty(MqttPropertyType.REASON_STRING.value());
    return property == null ? null : (String) property.value();
  }
}

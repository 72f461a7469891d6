package dev.courier.mqtt.transport.internal.protocol.dialect;

import dev.courier.mqtt.transport.spi.bridge.Delivery;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;

/** The packets of MQTT 5.0: reason codes and properties as given. */
final class Mqtt5Writer implements PacketWriter {

  static final Mqtt5Writer INSTANCE = new Mqtt5Writer();

  private Mqtt5Writer() {}

  @Override
  public boolean hasProperties() {
    return true;
  }

  @Override
  public MqttMessage connAck(ReasonCode code, boolean sessionPresent, MqttProperties properties) {
    return new MqttConnAckMessage(Packets.fixed(MqttMessageType.CONNACK, MqttQoS.AT_MOST_ONCE),
        new MqttConnAckVariableHeader(MqttConnectReturnCode.valueOf((byte) code.value()),
            sessionPresent && code == ReasonCode.SUCCESS, orNone(properties)));
  }

  @Override
  public MqttMessage connAckRefused(ReasonCode code, String reason) {
    return connAck(code, false, reasonString(reason));
  }

  @Override
  public MqttMessage publish(Delivery delivery, String topic, int packetId, boolean dup,
      MqttProperties properties) {
    return Packets.publish(delivery, topic, packetId, dup, properties);
  }

  @Override
  public MqttMessage ack(MqttMessageType type, int packetId, ReasonCode code, String reason) {
    MqttFixedHeader fixed = Packets.fixed(type, Packets.ackQos(type));
    if (code == ReasonCode.SUCCESS && reason == null) {
      // [MQTT-3.4.2.1] a Remaining Length of 2: success, no properties.
      return new MqttMessage(fixed, MqttMessageIdVariableHeader.from(packetId));
    }
    return new MqttMessage(fixed, new MqttPubReplyMessageVariableHeader(packetId,
        (byte) code.value(), reasonString(reason)));
  }

  @Override
  public MqttMessage subAck(int packetId, int[] codes, String reason) {
    return new MqttSubAckMessage(Packets.fixed(MqttMessageType.SUBACK, MqttQoS.AT_MOST_ONCE),
        new MqttMessageIdAndPropertiesVariableHeader(packetId, reasonString(reason)),
        new MqttSubAckPayload(codes));
  }

  @Override
  public MqttMessage unsubAck(int packetId, int[] codes, String reason) {
    short[] values = new short[codes.length];
    for (int i = 0; i < codes.length; i++) {
      values[i] = (short) codes[i];
    }
    return new MqttUnsubAckMessage(Packets.fixed(MqttMessageType.UNSUBACK, MqttQoS.AT_MOST_ONCE),
        new MqttMessageIdAndPropertiesVariableHeader(packetId, reasonString(reason)),
        new MqttUnsubAckPayload(values));
  }

  @Override
  public MqttMessage disconnect(ReasonCode code, String reason) {
    return new MqttMessage(Packets.fixed(MqttMessageType.DISCONNECT, MqttQoS.AT_MOST_ONCE),
        new MqttReasonCodeAndPropertiesVariableHeader((byte) code.value(), reasonString(reason)));
  }

  @Override
  public MqttMessage pingResp() {
    return Packets.PINGRESP;
  }

  @Override
  public MqttMessage auth(ReasonCode code, String method, byte[] data) {
    MqttProperties properties = new MqttProperties();
    OutboundProperties.string(properties, MqttPropertyType.AUTHENTICATION_METHOD, method);
    if (data != null) {
      OutboundProperties.binary(properties, MqttPropertyType.AUTHENTICATION_DATA, data);
    }
    return new MqttMessage(Packets.fixed(MqttMessageType.AUTH, MqttQoS.AT_MOST_ONCE),
        new MqttReasonCodeAndPropertiesVariableHeader((byte) code.value(), properties));
  }

  private static MqttProperties orNone(MqttProperties properties) {
    return properties == null ? MqttProperties.NO_PROPERTIES : properties;
  }

  /** Properties holding only a Reason String, or none. */
  static MqttProperties reasonString(String reason) {
    if (reason == null) {
      return MqttProperties.NO_PROPERTIES;
    }
    MqttProperties properties = new MqttProperties();
    properties.add(new MqttProperties.StringProperty(MqttPropertyType.REASON_STRING.value(),
        reason));
    return properties;
  }
}

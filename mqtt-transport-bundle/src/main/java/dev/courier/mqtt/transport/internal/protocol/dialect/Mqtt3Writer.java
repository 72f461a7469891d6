package dev.courier.mqtt.transport.internal.protocol.dialect;

import dev.courier.mqtt.transport.spi.bridge.Delivery;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;

/** The packets of MQTT 3.1 and 3.1.1: no properties, reason codes mapped to 3.1.1's few. */
final class Mqtt3Writer implements PacketWriter {

  static final Mqtt3Writer INSTANCE = new Mqtt3Writer();

  private Mqtt3Writer() {}

  @Override
  public boolean hasProperties() {
    return false;
  }

  @Override
  public MqttMessage connAck(ReasonCode code, boolean sessionPresent, MqttProperties properties) {
    MqttConnectReturnCode returnCode = code == ReasonCode.SUCCESS
        ? MqttConnectReturnCode.CONNECTION_ACCEPTED
        : MqttConnectReturnCode.valueOf((byte) code.connectReturnCode().orElse(3));
    return new MqttConnAckMessage(Packets.fixed(MqttMessageType.CONNACK, MqttQoS.AT_MOST_ONCE),
        new MqttConnAckVariableHeader(returnCode, sessionPresent && code == ReasonCode.SUCCESS));
  }

  @Override
  public MqttMessage connAckRefused(ReasonCode code, String reason) {
    return connAck(code, false, null);
  }

  @Override
  public MqttMessage publish(Delivery delivery, String topic, int packetId, boolean dup,
      MqttProperties properties) {
    return Packets.publish(delivery, topic, packetId, dup, null);
  }

  @Override
  public MqttMessage ack(MqttMessageType type, int packetId, ReasonCode code, String reason) {
    return new MqttMessage(Packets.fixed(type, Packets.ackQos(type)),
        MqttMessageIdVariableHeader.from(packetId));
  }

  @Override
  public MqttMessage subAck(int packetId, int[] codes, String reason) {
    int[] granted = new int[codes.length];
    for (int i = 0; i < codes.length; i++) {
      // [MQTT-3.9.3-2] 3.1.1 knows granted QoS 0, 1, 2 and the one failure code 0x80.
      granted[i] = codes[i] >= 0x80 ? 0x80 : codes[i];
    }
    return new MqttSubAckMessage(Packets.fixed(MqttMessageType.SUBACK, MqttQoS.AT_MOST_ONCE),
        MqttMessageIdVariableHeader.from(packetId), new MqttSubAckPayload(granted));
  }

  @Override
  public MqttMessage unsubAck(int packetId, int[] codes, String reason) {
    return new MqttUnsubAckMessage(Packets.fixed(MqttMessageType.UNSUBACK, MqttQoS.AT_MOST_ONCE),
        MqttMessageIdVariableHeader.from(packetId));
  }

  @Override
  public MqttMessage disconnect(ReasonCode code, String reason) {
    return null; // [MQTT-3.14] in 3.x only the client sends DISCONNECT
  }

  @Override
  public MqttMessage pingResp() {
    return Packets.PINGRESP;
  }

  @Override
  public MqttMessage auth(ReasonCode code, String method, byte[] data) {
    throw new IllegalStateException("MQTT 3.x has no AUTH packet");
  }
}

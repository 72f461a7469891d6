package dev.courier.mqtt.transport.internal.protocol;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Client-to-server packets for engine tests, with the fixed-header flags the spec requires. */
final class Packets {

  private Packets() {}

  static MqttConnectMessage connect(String clientId, boolean cleanSession) {
    return MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
        .clientId(clientId).cleanSession(cleanSession).keepAlive(60).build();
  }

  static MqttConnectMessage connect(MqttVersion version, String clientId, boolean cleanSession) {
    return MqttMessageBuilders.connect().protocolVersion(version)
        .clientId(clientId).cleanSession(cleanSession).keepAlive(60).build();
  }

  static MqttConnectMessage connectWithKeepAlive(String clientId, int keepAlive) {
    return MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
        .clientId(clientId).cleanSession(true).keepAlive(keepAlive).build();
  }

  static MqttConnectMessage connectWithWill(String clientId, String willTopic, String willText,
      MqttQoS willQos, boolean willRetain) {
    return MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
        .clientId(clientId).cleanSession(true).keepAlive(60)
        .willFlag(true).willTopic(willTopic).willQoS(willQos).willRetain(willRetain)
        .willMessage(willText.getBytes(StandardCharsets.UTF_8)).build();
  }

  /** A CONNECT with every flag of the variable header chosen by the caller. */
  static MqttConnectMessage rawConnect(String clientId, boolean hasUser, boolean hasPassword,
      boolean willRetain, int willQos, boolean willFlag) {
    MqttVersion version = MqttVersion.MQTT_3_1_1;
    return new MqttConnectMessage(
        new MqttFixedHeader(MqttMessageType.CONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
        new MqttConnectVariableHeader(version.protocolName(), version.protocolLevel(), hasUser,
            hasPassword, willRetain, willQos, willFlag, true, 60),
        new MqttConnectPayload(clientId, willFlag ? "will/topic" : null,
            willFlag ? new byte[] {1} : null, hasUser ? "user" : null,
            hasPassword ? new byte[] {2} : null));
  }

  static MqttPublishMessage publish(String topic, String text, int qos, int packetId) {
    return publish(topic, text, qos, packetId, false, false);
  }

  static MqttPublishMessage publish(String topic, String text, int qos, int packetId,
      boolean retain, boolean dup) {
    return new MqttPublishMessage(
        new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), retain, 0),
        new MqttPublishVariableHeader(topic, packetId),
        Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }

  /** PUBACK, PUBREC, PUBREL (with its QoS 1 flags) or PUBCOMP. */
  static MqttMessage ack(MqttMessageType type, int packetId) {
    MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
    return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0),
        MqttMessageIdVariableHeader.from(packetId));
  }

  /** Subscribes to {@code filters[i]} with {@code qos[i]}. */
  static MqttSubscribeMessage subscribe(int packetId, List<String> filters, int... qos) {
    List<MqttTopicSubscription> subscriptions = new ArrayList<>();
    for (int i = 0; i < filters.size(); i++) {
      subscriptions.add(new MqttTopicSubscription(filters.get(i), MqttQoS.valueOf(qos[i])));
    }
    return new MqttSubscribeMessage(
        new MqttFixedHeader(MqttMessageType.SUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE, false, 0),
        MqttMessageIdVariableHeader.from(packetId), new MqttSubscribePayload(subscriptions));
  }

  static MqttSubscribeMessage subscribe(int packetId, String filter, int qos) {
    return subscribe(packetId, List.of(filter), qos);
  }

  static MqttUnsubscribeMessage unsubscribe(int packetId, String... filters) {
    return new MqttUnsubscribeMessage(
        new MqttFixedHeader(MqttMessageType.UNSUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE, false, 0),
        MqttMessageIdVariableHeader.from(packetId), new MqttUnsubscribePayload(List.of(filters)));
  }

  static MqttMessage pingreq() {
    return simple(MqttMessageType.PINGREQ);
  }

  static MqttMessage disconnect() {
    return simple(MqttMessageType.DISCONNECT);
  }

  static MqttMessage simple(MqttMessageType type) {
    return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0));
  }
}

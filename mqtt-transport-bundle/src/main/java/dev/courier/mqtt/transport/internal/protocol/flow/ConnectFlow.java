package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.internal.topic.TopicSyntax;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.UUID;

/**
 * Reads a CONNECT: the protocol version, the client id (assigning one where allowed), the will and
 * the keep alive. Says whether to go on; authentication and the session come after.
 */
public final class ConnectFlow {

  private final ConnectionContext context;

  public ConnectFlow(ConnectionContext context) {
    this.context = context;
  }

  /**
   * Checks {@code connect} and, when it is acceptable, records who the client is in the context.
   *
   * @throws ProtocolViolation for a CONNECT the spec calls a protocol error
   */
  public ConnectOutcome read(MqttConnectMessage connect) {
    MqttConnectVariableHeader header = connect.variableHeader();
    MqttConnectPayload payload = connect.payload();
    MqttVersion version = MqttVersion.fromProtocolNameAndLevel(header.name(),
        (byte) header.version());
    if (version == MqttVersion.MQTT_5) {
      // MQTT 5 is not served yet: the 5.0 reason code 0x84 [MQTT-3.1.2-2].
      context.connecting(null, version, true);
      return ConnectOutcome.refused(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION,
          payload.clientIdentifier(), "MQTT 5 is not supported yet");
    }
    if (header.hasPassword() && !header.hasUserName()) {
      throw new ProtocolViolation("MQTT-3.1.2-22", "password without user name");
    }
    boolean clean = header.isCleanSession();
    String id = payload.clientIdentifier();
    TransportConfig config = context.config();
    if (id == null || id.isEmpty()) {
      // [MQTT-3.1.3-7] [MQTT-3.1.3-8] an empty id is assigned one only with a clean session;
      // MQTT 3.1 requires an id.
      if (!clean || version == MqttVersion.MQTT_3_1) {
        return ConnectOutcome.refused(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "",
            "empty client id without clean session");
      }
      id = "courier-" + UUID.randomUUID().toString().replace("-", "");
    } else if (id.length() > config.maxClientIdLength()) {
      return ConnectOutcome.refused(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, id,
          "client id longer than " + config.maxClientIdLength());
    }
    Publication will = readWill(header, payload, id);
    context.connecting(id, version, clean);
    // [MQTT-3.1.2-24] keep-alive; a client asking for none or too much gets the configured bound.
    int keepAlive = header.keepAliveTimeSeconds();
    context.port().keepAlive(keepAlive == 0 || keepAlive > config.maxKeepAliveSeconds()
        ? config.maxKeepAliveSeconds() : keepAlive);
    return new ConnectOutcome(ReasonCode.SUCCESS, id, null, will, false);
  }

  private static Publication readWill(MqttConnectVariableHeader header,
      MqttConnectPayload payload, String id) {
    if (!header.isWillFlag()) {
      // [MQTT-3.1.2-13] [MQTT-3.1.2-15] without a will, its QoS and RETAIN must be 0.
      if (header.willQos() != 0 || header.isWillRetain()) {
        throw new ProtocolViolation("MQTT-3.1.2-13", "will QoS or retain set without will flag");
      }
      return null;
    }
    if (header.willQos() > 2) {
      throw new ProtocolViolation("MQTT-3.1.2-14", "will QoS 3");
    }
    String topic = payload.willTopic();
    if (topic == null || !TopicSyntax.isValidTopicName(topic)) {
      throw new ProtocolViolation("MQTT-3.1.3-10", "invalid will topic");
    }
    byte[] body = payload.willMessageInBytes();
    return new Publication(topic, body == null ? new byte[0] : body, header.willQos(),
        header.isWillRetain(), id);
  }
}

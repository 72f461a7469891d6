package dev.courier.mqtt.transport.internal.protocol.dialect;

import dev.courier.mqtt.transport.spi.bridge.Delivery;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * Builds the packets the server sends, in one protocol version. Flows say what to send (a reason
 * code, properties) and never branch on the version: the MQTT 3.1 / 3.1.1 writer maps a reason code
 * to its 3.1.1 equivalent and drops properties, the MQTT 5.0 writer sends both. Stateless.
 */
public interface PacketWriter {

  /** The writer of a protocol version. */
  static PacketWriter of(MqttVersion version) {
    return version == MqttVersion.MQTT_5 ? Mqtt5Writer.INSTANCE : Mqtt3Writer.INSTANCE;
  }

  /** Whether this version carries properties and reason codes (MQTT 5.0). */
  boolean hasProperties();

  /**
   * CONNACK. A refusal code without a 3.1.1 equivalent is sent as "server unavailable" (3) on 3.x.
   *
   * @param code SUCCESS or the refusal
   * @param sessionPresent the Session Present flag (ignored for a refusal [MQTT-3.2.2-6])
   * @param properties the CONNACK properties (dropped on 3.x)
   */
  MqttMessage connAck(ReasonCode code, boolean sessionPresent, MqttProperties properties);

  /**
   * CONNACK refusing a CONNECT: {@code code}, no Session Present [MQTT-3.2.2-6].
   *
   * @param reason a reason string for the client, or null (dropped on 3.x)
   */
  MqttMessage connAckRefused(ReasonCode code, String reason);

  /**
   * PUBLISH to the client; ownership of the payload buffer passes to the caller.
   *
   * @param properties the publication's properties as delivered (dropped on 3.x)
   */
  MqttMessage publish(Delivery delivery, String topic, int packetId, boolean dup,
      MqttProperties properties);

  /**
   * PUBACK, PUBREC, PUBREL or PUBCOMP. On 5.0 a SUCCESS without a reason string is the short form.
   *
   * @param reason a reason string for the client, or null
   */
  MqttMessage ack(MqttMessageType type, int packetId, ReasonCode code, String reason);

  /** SUBACK; {@code codes} are 5.0 reason code values (0, 1, 2 granted QoS; 0x80 and up errors). */
  MqttMessage subAck(int packetId, int[] codes, String reason);

  /** UNSUBACK; {@code codes} are 5.0 reason code values, one per filter (3.x sends none). */
  MqttMessage unsubAck(int packetId, int[] codes, String reason);

  /**
   * A server DISCONNECT, or null where the version has none (3.x: the server just closes).
   *
   * @param reason a reason string for the client, or null
   */
  MqttMessage disconnect(ReasonCode code, String reason);

  /** PINGRESP. */
  MqttMessage pingResp();

  /**
   * AUTH (MQTT 5.0 section 3.15): Continue authentication (0x18) or, after a re-authentication,
   * Success (0x00). Never asked of 3.x, which has no AUTH: a 3.x CONNECT carries no Authentication
   * Method, so no exchange starts.
   *
   * @param code {@link ReasonCode#CONTINUE_AUTHENTICATION} or {@link ReasonCode#SUCCESS}
   * @param method the Authentication Method of the CONNECT [MQTT-4.12.0-5]
   * @param data the Authentication Data, or null for none
   * @throws IllegalStateException on 3.x
   */
  MqttMessage auth(ReasonCode code, String method, byte[] data);
}

package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.context.Negotiated;
import dev.courier.mqtt.transport.internal.protocol.dialect.Dialect;
import dev.courier.mqtt.transport.internal.protocol.dialect.InboundProperties;
import dev.courier.mqtt.transport.internal.protocol.dialect.OutboundProperties;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.internal.topic.TopicSyntax;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
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
    Dialect dialect = Dialect.of(version);
    // A refusal below is a CONNACK of the client's version, within its Maximum Packet Size.
    context.protocol(version);
    if (header.hasPassword() && !header.hasUserName() && dialect.passwordNeedsUserName()) {
      throw new ProtocolViolation("MQTT-3.1.2-22", "password without user name");
    }
    InboundProperties properties = InboundProperties.of(header.properties());
    boolean clean = header.isCleanSession();
    // shared with the connections that settled on the same limits: one instance, not one each
    context.negotiated(context.parts().negotiations()
        .intern(negotiate(header, properties, dialect, clean)));
    String sent = payload.clientIdentifier();
    String id = sent;
    TransportConfig config = context.config();
    if (id == null || id.isEmpty()) {
      if (!dialect.mayAssignClientId(clean)) {
        return ConnectOutcome.refused(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "",
            "empty client id without clean session");
      }
      id = "courier-" + UUID.randomUUID().toString().replace("-", "");
    } else if (id.length() > config.maxClientIdLength()) {
      return ConnectOutcome.refused(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, id,
          "client id longer than " + config.maxClientIdLength());
    }
    Publication will = readWill(header, payload, id);
    context.connecting(id, !id.equals(sent), clean);
    context.authMethod(authMethod(properties));
    context.port().keepAlive(context.negotiated().keepAliveSeconds());
    return ConnectOutcome.accepted(id, will);
  }

  /** The Authentication Method (section 3.1.2.11.9), checked; null without one. */
  private static String authMethod(InboundProperties properties) {
    String method = properties.string(MqttPropertyType.AUTHENTICATION_METHOD);
    if (method == null && properties.has(MqttPropertyType.AUTHENTICATION_DATA)) {
      throw new ProtocolViolation("MQTT-5.0-3.1.2.11.10",
          "Authentication Data without Authentication Method");
    }
    return method;
  }

  /** The limits the CONNECT asks for, checked, with ours (MQTT 5.0 section 3.1.2.11). */
  private Negotiated negotiate(MqttConnectVariableHeader header, InboundProperties properties,
      Dialect dialect, boolean clean) {
    TransportConfig config = context.config();
    long receiveMaximum = properties.integer(MqttPropertyType.RECEIVE_MAXIMUM, 65_535);
    if (receiveMaximum == 0) {
      throw new ProtocolViolation("MQTT-5.0-3.1.2.11.3", "Receive Maximum 0");
    }
    long maximumPacketSize = properties.integer(MqttPropertyType.MAXIMUM_PACKET_SIZE,
        Integer.MAX_VALUE);
    if (maximumPacketSize == 0) {
      throw new ProtocolViolation("MQTT-5.0-3.1.2.11.4", "Maximum Packet Size 0");
    }
    long problemInformation = properties.integer(MqttPropertyType.REQUEST_PROBLEM_INFORMATION, 1);
    long responseInformation =
        properties.integer(MqttPropertyType.REQUEST_RESPONSE_INFORMATION, 0);
    if (problemInformation > 1 || responseInformation > 1) {
      throw new ProtocolViolation("MQTT-5.0-3.1.2.11.6",
          "Request Problem/Response Information not 0 or 1");
    }
    // [MQTT-3.1.2-24] keep-alive; a client asking for none or too much gets the configured bound
    // (told to a 5.0 client as Server Keep Alive [MQTT-3.1.2-21]).
    int keepAlive = header.keepAliveTimeSeconds();
    int granted = keepAlive == 0 || keepAlive > config.maxKeepAliveSeconds()
        ? config.maxKeepAliveSeconds() : keepAlive;
    long askedExpiry = properties.integer(MqttPropertyType.SESSION_EXPIRY_INTERVAL, -1);
    long expiry = dialect.sessionExpiry(clean, askedExpiry, config.maxSessionExpirySeconds(),
        config.mqtt311SessionExpirySeconds());
    return new Negotiated((int) receiveMaximum,
        dialect.serverReceiveMaximum(config.maxInflightMessages()),
        (int) Math.min(Integer.MAX_VALUE, maximumPacketSize),
        (int) properties.integer(MqttPropertyType.TOPIC_ALIAS_MAXIMUM, 0),
        config.topicAliasMaximum(), granted, expiry, problemInformation == 1,
        keepAlive != granted, config.maxSessionExpirySeconds(),
        askedExpiry >= 0 && expiry != askedExpiry);
  }

  /**
   * The CONNACK properties of an accepted MQTT 5.0 CONNECT (section 3.2.2.3): what the server
   * changed or limits, what it does not offer, and the method of an enhanced authentication.
   *
   * @param authData the final Authentication Data of an enhanced authentication, or null
   */
  public static MqttProperties connAckProperties(ConnectionContext context, byte[] authData) {
    if (!context.writer().hasProperties()) {
      return null;
    }
    Negotiated negotiated = context.negotiated();
    MqttProperties properties = new MqttProperties();
    if (context.clientIdAssigned()) {
      OutboundProperties.string(properties, MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER,
          context.clientId());
    }
    OutboundProperties.integer(properties, MqttPropertyType.RECEIVE_MAXIMUM,
        negotiated.serverReceiveMaximum());
    if (negotiated.serverTopicAliasMaximum() > 0) {
      // 3.2.2.3.8: absent means 0, no aliases; then any alias is refused with 0x94.
      OutboundProperties.integer(properties, MqttPropertyType.TOPIC_ALIAS_MAXIMUM,
          negotiated.serverTopicAliasMaximum());
    }
    if (negotiated.sessionExpiryChanged()) {
      // [MQTT-3.2.2.3.2] the client asked more than the maximum: say what is granted.
      OutboundProperties.integer(properties, MqttPropertyType.SESSION_EXPIRY_INTERVAL,
          (int) negotiated.sessionExpirySeconds());
    }
    OutboundProperties.integer(properties, MqttPropertyType.MAXIMUM_PACKET_SIZE,
        context.config().maxPacketSize());
    if (!context.parts().bridge().sharedSubscriptions()) {
      // 3.2.2.3.14: absent means available; this bridge does not implement them.
      OutboundProperties.integer(properties, MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE, 0);
    }
    if (negotiated.keepAliveChanged()) {
      OutboundProperties.integer(properties, MqttPropertyType.SERVER_KEEP_ALIVE,
          negotiated.keepAliveSeconds());
    }
    if (context.authMethod() != null) {
      // [MQTT-4.12.0-5] a successful CONNACK names the CONNECT's method; [MQTT-4.12.0-6] only then.
      OutboundProperties.string(properties, MqttPropertyType.AUTHENTICATION_METHOD,
          context.authMethod());
      if (authData != null) {
        OutboundProperties.binary(properties, MqttPropertyType.AUTHENTICATION_DATA, authData);
      }
    }
    return properties;
  }

  private Publication readWill(MqttConnectVariableHeader header,
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
    String limit = TopicLimits.exceeded(context, id, topic, "will topic");
    if (limit != null) {
      // 3.2.2.2: 0x90 "the Will Topic Name is not malformed, but is not accepted by this Server";
      // refused the way a malformed will is, so that a 3.x client is closed without a CONNACK.
      throw new ProtocolViolation(ReasonCode.TOPIC_NAME_INVALID, limit, "will topic over " + limit);
    }
    byte[] body = payload.willMessageInBytes();
    context.willDelaySeconds(InboundProperties.of(payload.willProperties())
        .integer(MqttPropertyType.WILL_DELAY_INTERVAL, 0));
    return new Publication(topic, body == null ? new byte[0] : body, header.willQos(),
        header.isWillRetain(), id,
        InboundProperties.of(payload.willProperties()).message(System.currentTimeMillis()));
  }
}

package dev.courier.mqtt.transport.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;

/** MQTT 5.0 enhanced-authentication packets for engine tests, and reading the server's answers. */
final class Auth5 {

  private Auth5() {}

  /** A 5.0 CONNECT with an Authentication Method and (if not null) Authentication Data. */
  static MqttConnectMessage connect(String clientId, String method, String data) {
    return MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5).clientId(clientId)
        .cleanSession(true).keepAlive(60).properties(properties(method, data)).build();
  }

  /** The same with a user name and password. */
  static MqttConnectMessage connect(String clientId, String method, String data, String user,
      String password) {
    return MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5).clientId(clientId)
        .cleanSession(true).keepAlive(60).properties(properties(method, data))
        .hasUser(true).username(user).hasPassword(true)
        .password(password.getBytes(StandardCharsets.UTF_8)).build();
  }

  /** An AUTH packet; {@code method} and {@code data} are left out when null. */
  static MqttMessage auth(int code, String method, String data) {
    return new MqttMessage(
        new MqttFixedHeader(MqttMessageType.AUTH, false, MqttQoS.AT_MOST_ONCE, false, 0),
        new MqttReasonCodeAndPropertiesVariableHeader((byte) code, properties(method, data)));
  }

  static MqttProperties properties(String method, String data) {
    MqttProperties properties = new MqttProperties();
    if (method != null) {
      properties.add(new MqttProperties.StringProperty(
          MqttPropertyType.AUTHENTICATION_METHOD.value(), method));
    }
    if (data != null) {
      properties.add(new MqttProperties.BinaryProperty(
          MqttPropertyType.AUTHENTICATION_DATA.value(), data.getBytes(StandardCharsets.UTF_8)));
    }
    return properties;
  }

  /** The reason code of an AUTH or DISCONNECT. */
  static int code(MqttMessage message) {
    return ((MqttReasonCodeAndPropertiesVariableHeader) message.variableHeader()).reasonCode()
        & 0xFF;
  }

  /** The reason code of a CONNACK. */
  static int code(MqttConnAckMessage connAck) {
    return connAck.variableHeader().connectReturnCode().byteValue() & 0xFF;
  }

  /** A string property of an AUTH, DISCONNECT or CONNACK, or null. */
  static String string(MqttMessage message, MqttPropertyType type) {
    MqttProperties.MqttProperty<?> property = properties(message).getProperty(type.value());
    return property == null ? null : (String) property.value();
  }

  /** The Authentication Data of an AUTH or CONNACK as text, or null. */
  static String data(MqttMessage message) {
    MqttProperties.MqttProperty<?> property =
        properties(message).getProperty(MqttPropertyType.AUTHENTICATION_DATA.value());
    return property == null ? null
        : new String((byte[]) property.value(), StandardCharsets.UTF_8);
  }

  /** Asserts {@code message} is an AUTH with {@code code}, the method and {@code data}. */
  static void assertAuth(MqttMessage message, int code, String method, String data) {
    assertThat(message.fixedHeader().messageType()).isEqualTo(MqttMessageType.AUTH);
    assertThat(code(message)).as("AUTH reason code").isEqualTo(code);
    assertThat(string(message, MqttPropertyType.AUTHENTICATION_METHOD)).isEqualTo(method);
    assertThat(data(message)).as("Authentication Data").isEqualTo(data);
  }

  private static MqttProperties properties(MqttMessage message) {
    Object header = message.variableHeader();
    if (header instanceof MqttReasonCodeAndPropertiesVariableHeader reason) {
      return reason.properties();
    }
    return ((MqttConnAckMessage) message).variableHeader().properties();
  }
}

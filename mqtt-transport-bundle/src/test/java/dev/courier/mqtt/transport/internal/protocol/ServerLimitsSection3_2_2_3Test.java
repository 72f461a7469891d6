package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.connect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.2.2.3 (CONNACK properties) as configured: Topic Alias Maximum
 * ({@code topicAliasMaximum}) and Session Expiry Interval ({@code maxSessionExpirySeconds}), and the
 * life of 3.1.1 persistent sessions ({@code mqtt311SessionExpirySeconds}).
 */
class ServerLimitsSection3_2_2_3Test {

  private static final long NEVER = TransportConfig.NEVER_EXPIRES;

  private EngineFixture engine;
  private final List<SessionRequest> requests = new ArrayList<>();
  private final List<Long> detachedWith = new ArrayList<>();

  @AfterEach
  void close() {
    engine.close();
  }

  private void engine(int topicAliasMaximum, long maxSessionExpiry, long mqtt311SessionExpiry) {
    engine = new EngineFixture(TransportConfig.defaults()
        .withServerLimits(topicAliasMaximum, maxSessionExpiry, mqtt311SessionExpiry));
  }

  /** A bridge recording the session requests and the expiry given at detach. */
  private MessagingBridge recording() {
    MessagingBridge inner = engine.bridge;
    return new MessagingBridge() {
      @Override
      public String name() {
        return "recording";
      }

      @Override
      public CompletionStage<BridgeSession> openSession(SessionRequest request) {
        requests.add(request);
        return inner.openSession(request).thenApply(session -> new ForwardingSession(session) {
          @Override
          public void detach(long sessionExpirySeconds) {
            detachedWith.add(sessionExpirySeconds);
            inner.detach(sessionExpirySeconds);
          }
        });
      }
    };
  }

  private TestClient connect5(long sessionExpiry) {
    MqttProperties properties = new MqttProperties();
    if (sessionExpiry >= 0) {
      properties.add(new MqttProperties.IntegerProperty(
          MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), (int) sessionExpiry));
    }
    TestClient client = engine.client(recording());
    client.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5)
        .clientId("five").cleanSession(false).keepAlive(60).properties(properties).build());
    return client;
  }

  private static MqttProperties.MqttProperty<?> property(MqttConnAckMessage connAck,
      MqttPropertyType type) {
    return connAck.variableHeader().properties().getProperty(type.value());
  }

  private static MqttPublishMessage aliased(int alias) {
    MqttProperties properties = new MqttProperties();
    properties.add(new MqttProperties.IntegerProperty(MqttPropertyType.TOPIC_ALIAS.value(), alias));
    return new MqttPublishMessage(
        new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_MOST_ONCE, false, 0),
        new MqttPublishVariableHeader("a/b", 0, properties),
        Unpooled.copiedBuffer("x", StandardCharsets.UTF_8));
  }

  @Test
  void whenTopicAliasMaximumIsSet_thenConnAckSaysIt_andAliasesAboveItAre0x94() {
    engine(4, NEVER, NEVER);
    TestClient client = connect5(-1);

    MqttConnAckMessage connAck = client.nextConnAck();
    assertThat(property(connAck, MqttPropertyType.TOPIC_ALIAS_MAXIMUM).value()).isEqualTo(4);
    client.send(aliased(4));
    assertThat(client.port.closed).isFalse();
    ProtocolViolation violation = client.sendViolating(aliased(5));
    assertThat(violation.reason()).isEqualTo(ReasonCode.TOPIC_ALIAS_INVALID);
  }

  @Test
  void whenTopicAliasMaximumIs0_thenConnAckHasNoTopicAliasMaximum_andEveryAliasIs0x94() {
    engine(0, NEVER, NEVER);
    TestClient client = connect5(-1);

    MqttConnAckMessage connAck = client.nextConnAck();
    assertThat(connAck.variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    assertThat(property(connAck, MqttPropertyType.TOPIC_ALIAS_MAXIMUM)).isNull();
    ProtocolViolation violation = client.sendViolating(aliased(1));
    assertThat(violation.reason()).isEqualTo(ReasonCode.TOPIC_ALIAS_INVALID);
  }

  @Test
  void whenClientAsksMoreThanMaxSessionExpiry_thenMaximumIsGrantedAndToldInConnAck() {
    engine(16, 3600, NEVER);
    TestClient client = connect5(86_400);

    MqttConnAckMessage connAck = client.nextConnAck();
    // [MQTT-3.2.2.3.2] the server uses another value than the client sent: CONNACK says it.
    assertThat(property(connAck, MqttPropertyType.SESSION_EXPIRY_INTERVAL).value())
        .isEqualTo(3600);
    assertThat(requests).singleElement()
        .extracting(SessionRequest::sessionExpirySeconds).isEqualTo(3600L);
  }

  @Test
  void whenClientAsksNeverUnderAMaximum_thenMaximumIsGranted() {
    engine(16, 3600, NEVER);
    TestClient client = connect5(NEVER);

    assertThat(property(client.nextConnAck(), MqttPropertyType.SESSION_EXPIRY_INTERVAL).value())
        .isEqualTo(3600);
    assertThat(requests.get(0).sessionExpirySeconds()).isEqualTo(3600L);
  }

  @Test
  void whenClientAsksWithinTheMaximum_thenGrantedAsAsked_andConnAckSaysNothing() {
    engine(16, 3600, NEVER);
    TestClient client = connect5(600);

    assertThat(property(client.nextConnAck(), MqttPropertyType.SESSION_EXPIRY_INTERVAL)).isNull();
    assertThat(requests.get(0).sessionExpirySeconds()).isEqualTo(600L);
  }

  @Test
  void whenDefaults_thenNeverIsGrantedAsAsked() {
    engine = new EngineFixture();
    TestClient client = connect5(NEVER);

    assertThat(property(client.nextConnAck(), MqttPropertyType.SESSION_EXPIRY_INTERVAL)).isNull();
    assertThat(requests.get(0).sessionExpirySeconds()).isEqualTo(NEVER);
  }

  @Test
  void whenDisconnectAsksMoreThanTheMaximum_thenTheSessionIsKeptForTheMaximum() {
    engine(16, 3600, NEVER);
    TestClient client = connect5(60);
    client.nextConnAck();

    MqttProperties properties = new MqttProperties();
    properties.add(new MqttProperties.IntegerProperty(
        MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 86_400));
    client.send(new MqttMessage(
        new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
        new MqttReasonCodeAndPropertiesVariableHeader((byte) 0, properties)));
    client.drop();

    assertThat(detachedWith).containsExactly(3600L);
  }

  @Test
  void whenMaximumIs0AndClientAskedMore_thenDisconnectIntervalIsNoProtocolError() {
    // [MQTT-3.14.2-2] forbids a DISCONNECT interval only after the CLIENT sent 0 at CONNECT.
    engine(16, 0, NEVER);
    TestClient client = connect5(60);
    client.nextConnAck();

    client.send(disconnectWithExpiry(120));
    client.drop();

    assertThat(client.port.closed).isTrue();
    assertThat(detachedWith).isEmpty();
  }

  @Test
  void whenClientSent0AtConnect_thenDisconnectIntervalIsProtocolError() {
    engine(16, 3600, NEVER);
    TestClient client = connect5(0);
    client.nextConnAck();

    ProtocolViolation violation = client.sendViolating(disconnectWithExpiry(120));
    assertThat(violation.reason()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
  }

  private static MqttMessage disconnectWithExpiry(int seconds) {
    MqttProperties properties = new MqttProperties();
    properties.add(new MqttProperties.IntegerProperty(
        MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), seconds));
    return new MqttMessage(
        new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
        new MqttReasonCodeAndPropertiesVariableHeader((byte) 0, properties));
  }

  @Test
  void whenMqtt311PersistentSession_thenItLivesForMqtt311SessionExpirySeconds() {
    engine(16, 0, 7200);
    TestClient client = engine.client(recording());
    client.send(connect("three", false));

    assertThat(client.nextConnAck().variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    // maxSessionExpirySeconds bounds 5.0 clients only.
    assertThat(requests.get(0).sessionExpirySeconds()).isEqualTo(7200L);
  }

  @Test
  void whenMqtt311PersistentSessionWithDefaults_thenItNeverExpires() {
    engine = new EngineFixture();
    TestClient client = engine.client(recording());
    client.send(connect("three", false));
    client.nextConnAck();

    assertThat(requests.get(0).sessionExpirySeconds()).isEqualTo(NEVER);
  }
}

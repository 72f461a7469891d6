package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.3.2.3.4 from the server's side: the topic aliases it uses in the PUBLISH
 * packets it sends, within the client's Topic Alias Maximum (section 3.1.2.11.5), per network
 * connection, and sized as sent against the client's Maximum Packet Size.
 */
class TopicAliasOutboundSection3_3_2_3_4Test {

  private static final int NONE = 0;
  private final EngineFixture engine = new EngineFixture();

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void whenClientAllowsAnAlias_thenFirstPublishSetsItAndLaterOnesCarryAnEmptyTopic() {
    TestClient sub = subscriber("sub", 1, Integer.MAX_VALUE, "TopicA", 2);
    TestClient pub = engine.connected("pub", true);

    for (int qos = 0; qos < 3; qos++) {
      pub.send(publish("TopicA", "topic alias " + qos, qos, 1 + qos));
    }

    MqttPublishMessage first = sub.nextPublish();
    assertThat(first.variableHeader().topicName()).isEqualTo("TopicA");
    assertThat(alias(first)).isEqualTo(1);
    for (int qos = 1; qos < 3; qos++) {
      MqttPublishMessage later = sub.nextPublish();
      assertThat(later.variableHeader().topicName()).isEmpty();
      assertThat(alias(later)).isEqualTo(1);
      assertThat(text(later)).isEqualTo("topic alias " + qos);
    }
  }

  @Test
  void whenClientMaximumIsAbsent_thenNoAlias() {
    TestClient sub = subscriber("sub", NONE, Integer.MAX_VALUE, "TopicA", 1);
    TestClient pub = engine.connected("pub", true);

    pub.send(publish("TopicA", "one", 0, 0));
    pub.send(publish("TopicA", "two", 0, 0));

    for (int i = 0; i < 2; i++) {
      MqttPublishMessage publish = sub.nextPublish();
      assertThat(publish.variableHeader().topicName()).isEqualTo("TopicA");
      assertThat(alias(publish)).isZero();
    }
  }

  @Test
  void whenEveryAliasIsGiven_thenFurtherTopicsGoWithTheirFullNameAndNoAlias() {
    TestClient sub = subscriber("sub", 2, Integer.MAX_VALUE, "alias/#", 0);
    TestClient pub = engine.connected("pub", true);

    for (String topic : new String[] {"alias/one", "alias/two", "alias/three", "alias/three",
        "alias/one"}) {
      pub.send(publish(topic, topic, 0, 0));
    }

    assertPublish(sub.nextPublish(), "alias/one", 1);
    assertPublish(sub.nextPublish(), "alias/two", 2);
    assertPublish(sub.nextPublish(), "alias/three", 0);
    assertPublish(sub.nextPublish(), "alias/three", 0);
    assertPublish(sub.nextPublish(), "", 1);
  }

  @Test
  void whenTopicIsShorterThanAnAliasPaysFor_thenNoAlias() {
    TestClient sub = subscriber("sub", 5, Integer.MAX_VALUE, "a/b", 0);
    TestClient pub = engine.connected("pub", true);

    pub.send(publish("a/b", "one", 0, 0));
    pub.send(publish("a/b", "two", 0, 0));

    assertPublish(sub.nextPublish(), "a/b", 0);
    assertPublish(sub.nextPublish(), "a/b", 0);
  }

  @Test
  void whenMqtt311EvenWithATopicAliasMaximum_thenNoAlias() {
    TestClient sub = engine.client();
    sub.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
        .clientId("sub").cleanSession(true).keepAlive(60).properties(aliasMaximum(5)).build());
    sub.nextConnAck();
    sub.send(subscribe(1, "TopicA", 0));
    sub.next(MqttMessageType.SUBACK);
    TestClient pub = engine.connected("pub", true);

    pub.send(publish("TopicA", "one", 0, 0));
    pub.send(publish("TopicA", "two", 0, 0));

    assertPublish(sub.nextPublish(), "TopicA", 0);
    assertPublish(sub.nextPublish(), "TopicA", 0);
  }

  @Test
  void whenSessionResumesOnANewConnection_thenResendHasTheFullTopicAndAliasesStartAgain() {
    TestClient sub = subscriber("sub", false, 5, Integer.MAX_VALUE, "resume/topic", 1);
    TestClient pub = engine.connected("pub", true);
    pub.send(publish("resume/topic", "one", 1, 1));
    MqttPublishMessage first = sub.nextPublish();
    assertPublish(first, "resume/topic", 1);
    sub.drop(); // "one" stays unacknowledged

    TestClient again = connect5("sub", false, 5, Integer.MAX_VALUE);
    MqttPublishMessage resent = again.nextPublish();
    assertThat(resent.fixedHeader().isDup()).isTrue();
    assertThat(TestClient.packetId(resent)).isEqualTo(TestClient.packetId(first));
    // [MQTT-3.3.2-7] no mapping carried over: the resend names its topic...
    assertPublish(resent, "resume/topic", 0);
    pub.send(publish("resume/topic", "two", 1, 2));
    // ...and the topic's alias is set again, with the topic, on this connection.
    assertPublish(again.nextPublish(), "resume/topic", 1);
  }

  @Test
  void whenTheAliasedPacketFitsTheClientsMaximumPacketSize_thenItIsSizedWithTheEmptyTopic() {
    // Topic "sized/topic" (11 bytes), QoS 0. The first PUBLISH sets alias 1 (20 bytes).
    TestClient sub = subscriber("sub", 1, 100, "sized/topic", 0);
    TestClient pub = engine.connected("pub", true);
    pub.send(publish("sized/topic", "x", 0, 0));
    assertPublish(sub.nextPublish(), "sized/topic", 1);

    // Empty topic + alias: 1 + 1 + (2 + 0 + 1 + 3 + 92) = 100 bytes; with its topic 111.
    pub.send(publish("sized/topic", "p".repeat(92), 0, 0));
    pub.send(publish("sized/topic", "p".repeat(93), 0, 0)); // 101 bytes: dropped

    MqttPublishMessage fits = sub.nextPublish();
    assertPublish(fits, "", 1);
    assertThat(text(fits)).hasSize(92);
    sub.expectNothingMore();
  }

  @Test
  void whenANewAliasWouldMakeThePacketTooLarge_thenItGoesWithoutAndTheAliasStaysFree() {
    // Topic "sized/topic", QoS 0, 84 payload bytes: 1 + 1 + (2 + 11 + 1 + 84) = 100 bytes, or
    // 103 with a new alias.
    TestClient sub = subscriber("sub", 1, 100, "sized/topic", 0);
    TestClient pub = engine.connected("pub", true);

    pub.send(publish("sized/topic", "p".repeat(84), 0, 0));
    pub.send(publish("sized/topic", "x", 0, 0));

    assertPublish(sub.nextPublish(), "sized/topic", 0);
    assertPublish(sub.nextPublish(), "sized/topic", 1);
  }

  private TestClient subscriber(String clientId, int aliasMaximum, int maximumPacketSize,
      String filter, int qos) {
    return subscriber(clientId, true, aliasMaximum, maximumPacketSize, filter, qos);
  }

  private TestClient subscriber(String clientId, boolean clean, int aliasMaximum,
      int maximumPacketSize, String filter, int qos) {
    TestClient client = connect5(clientId, clean, aliasMaximum, maximumPacketSize);
    client.send(subscribe(1, filter, qos));
    client.next(MqttMessageType.SUBACK);
    return client;
  }

  /** A 5.0 CONNECT with the given Topic Alias Maximum (0: absent); persistent unless clean. */
  private TestClient connect5(String clientId, boolean clean, int aliasMaximum,
      int maximumPacketSize) {
    MqttProperties properties = aliasMaximum(aliasMaximum);
    if (maximumPacketSize != Integer.MAX_VALUE) {
      integer(properties, MqttPropertyType.MAXIMUM_PACKET_SIZE, maximumPacketSize);
    }
    if (!clean) {
      integer(properties, MqttPropertyType.SESSION_EXPIRY_INTERVAL, 600);
    }
    TestClient client = engine.client();
    client.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5)
        .clientId(clientId).cleanSession(clean).keepAlive(60).properties(properties).build());
    MqttConnAckMessage connAck = client.nextConnAck();
    assertThat(connAck.variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    return client;
  }

  private static MqttProperties aliasMaximum(int maximum) {
    MqttProperties properties = new MqttProperties();
    if (maximum != NONE) {
      integer(properties, MqttPropertyType.TOPIC_ALIAS_MAXIMUM, maximum);
    }
    return properties;
  }

  private static void integer(MqttProperties properties, MqttPropertyType type, int value) {
    properties.add(new MqttProperties.IntegerProperty(type.value(), value));
  }

  /** The PUBLISH's Topic Alias, or 0 if it has none. */
  private static int alias(MqttPublishMessage publish) {
    MqttProperties.MqttProperty<?> alias = publish.variableHeader().properties()
        .getProperty(MqttPropertyType.TOPIC_ALIAS.value());
    return alias == null ? 0 : (Integer) alias.value();
  }

  private static void assertPublish(MqttPublishMessage publish, String topic, int alias) {
    assertThat(publish.variableHeader().topicName()).as("topic name").isEqualTo(topic);
    assertThat(alias(publish)).as("topic alias").isEqualTo(alias);
  }
}

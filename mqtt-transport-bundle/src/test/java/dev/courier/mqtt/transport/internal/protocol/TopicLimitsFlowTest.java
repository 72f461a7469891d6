package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.Packets.unsubscribe;
import static io.netty.handler.codec.mqtt.MqttMessageType.DISCONNECT;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBCOMP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREC;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREL;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.UNSUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.PublishResult;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server's topic bounds, {@code maxTopicLength} (bytes of UTF-8) and {@code maxTopicLevels},
 * on PUBLISH topic names, SUBSCRIBE and UNSUBSCRIBE filters and the will topic: refused with the
 * codes MQTT 5.0 has for a topic "not malformed, but not accepted" (0x90 in PUBACK, PUBREC,
 * DISCONNECT and CONNACK; 0x8F in SUBACK and UNSUBACK), as MQTT 3.1.1 can (SUBACK 0x80, else
 * closing), counted; under the bounds nothing changes.
 */
class TopicLimitsFlowTest {

  /** 10 bytes, 3 levels. */
  private static final int MAX_LENGTH = 10;
  private static final int MAX_LEVELS = 3;
  private static final String LONGEST = "abcd/efghi";
  private static final String TOO_LONG = "abcd/efghij";
  private static final String DEEPEST = "a/b/c";
  private static final String TOO_DEEP = "a/b/c/d";

  private final EngineFixture engine = new EngineFixture(
      TransportConfig.defaults().withTopicLimits(MAX_LENGTH, MAX_LEVELS));

  @AfterEach
  void close() {
    engine.close();
  }

  private TestClient connect(MqttVersion version, String clientId) {
    return connect(engine.client(), version, clientId);
  }

  private static TestClient connect(TestClient client, MqttVersion version, String clientId) {
    client.send(Packets.connect(version, clientId, true));
    assertThat(client.nextConnAck().variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    return client;
  }

  private TestClient watcher() {
    TestClient watcher = engine.connected("watcher", true);
    watcher.send(subscribe(1, "#", 2));
    watcher.next(SUBACK);
    return watcher;
  }

  /** The reason code of a 5.0 PUBACK or PUBREC; the short form means 0x00 Success. */
  private static int reasonCode(MqttMessage ack, int packetId) {
    MqttMessageIdVariableHeader header = (MqttMessageIdVariableHeader) ack.variableHeader();
    assertThat(header.messageId()).isEqualTo(packetId);
    return header instanceof MqttPubReplyMessageVariableHeader reply
        ? reply.reasonCode() & 0xFF : 0;
  }

  private long lengthRefusals() {
    return engine.statistics.topicLengthRefusals();
  }

  private long levelRefusals() {
    return engine.statistics.topicLevelsRefusals();
  }

  // ---------------------------------------------------------------- PUBLISH

  @Test
  void whenTopicNamesKeepToTheBounds_thenPublishedAsUsual_onBothVersions() {
    TestClient watcher = watcher();
    TestClient five = connect(MqttVersion.MQTT_5, "five");
    TestClient three = connect(MqttVersion.MQTT_3_1_1, "three");

    five.send(publish(LONGEST, "1", 1, 1));
    five.send(publish(DEEPEST, "2", 0, 0));
    three.send(publish(LONGEST, "3", 1, 2));
    // 3 chars, 9 bytes: the bytes are counted, not the chars.
    three.send(publish("€€€", "4", 0, 0));

    assertThat(reasonCode(five.next(PUBACK), 1)).isZero();
    three.expectAck(PUBACK, 2);
    assertThat(List.of(watcher.nextPublish(), watcher.nextPublish(), watcher.nextPublish(),
        watcher.nextPublish())).extracting(TestClient::text).containsExactly("1", "2", "3", "4");
    assertThat(five.port.closed || three.port.closed).isFalse();
    assertThat(lengthRefusals() + levelRefusals()).isZero();
  }

  @Test
  void whenMqtt5Qos1TopicIsTooLong_thenPubAck0x90_notDelivered_andTheConnectionStays() {
    TestClient watcher = watcher();
    TestClient client = connect(MqttVersion.MQTT_5, "long5");

    client.send(publish(TOO_LONG, "x", 1, 1));
    client.send(publish(LONGEST, "y", 1, 2));

    assertThat(reasonCode(client.next(PUBACK), 1)).isEqualTo(0x90);
    assertThat(reasonCode(client.next(PUBACK), 2)).isZero();
    assertThat(TestClient.text(watcher.nextPublish())).isEqualTo("y");
    watcher.expectNothingMore();
    assertThat(client.port.closed).isFalse();
    assertThat(lengthRefusals()).isEqualTo(1);
    assertThat(levelRefusals()).isZero();
  }

  @Test
  void whenMqtt5Qos2TopicHasTooManyLevels_thenPubRec0x90_andThePacketIdIsFreeAgain() {
    TestClient watcher = watcher();
    TestClient client = connect(MqttVersion.MQTT_5, "deep5");

    client.send(publish(TOO_DEEP, "x", 2, 7));
    assertThat(reasonCode(client.next(PUBREC), 7)).isEqualTo(0x90);

    // An error PUBREC ends the exchange (4.3.3): id 7 starts a new one.
    client.send(publish(DEEPEST, "z", 2, 7));
    assertThat(reasonCode(client.next(PUBREC), 7)).isZero();
    client.send(Packets.ack(PUBREL, 7));
    client.expectAck(PUBCOMP, 7);
    assertThat(TestClient.text(watcher.nextPublish())).isEqualTo("z");
    watcher.expectNothingMore();
    assertThat(levelRefusals()).isEqualTo(1);
    assertThat(lengthRefusals()).isZero();
  }

  @Test
  void whenMqtt5Qos0TopicIsTooLong_thenDisconnect0x90_andNotDelivered() {
    TestClient watcher = watcher();
    TestClient client = connect(MqttVersion.MQTT_5, "long5q0");

    ProtocolViolation violation = client.sendFailing(publish(TOO_LONG, "x", 0, 0));

    assertThat(violation.reason()).isEqualTo(ReasonCode.TOPIC_NAME_INVALID);
    assertThat(Auth5.code(client.next(DISCONNECT))).isEqualTo(0x90);
    assertThat(client.port.closed).isTrue();
    watcher.expectNothingMore();
    assertThat(lengthRefusals()).isEqualTo(1);
  }

  @Test
  void whenMqtt311TopicIsOverABound_thenClosedWithoutAnAck_atEitherQos() {
    TestClient watcher = watcher();
    TestClient qos1 = connect(MqttVersion.MQTT_3_1_1, "long311");
    TestClient qos0 = connect(MqttVersion.MQTT_3_1_1, "deep311");

    qos1.sendFailing(publish(TOO_LONG, "x", 1, 1));
    qos0.sendFailing(publish(TOO_DEEP, "y", 0, 0));

    assertThat(qos1.port.closed).isTrue();
    assertThat(qos0.port.closed).isTrue();
    // 3.x has no DISCONNECT from the server and no ack that refuses.
    assertThat(qos1.rest()).isEmpty();
    assertThat(qos0.rest()).isEmpty();
    watcher.expectNothingMore();
    assertThat(lengthRefusals()).isEqualTo(1);
    assertThat(levelRefusals()).isEqualTo(1);
  }

  @Test
  void whenARefusedPublicationFollowsOneTheBridgeStillHolds_thenTheAcksKeepTheirOrder() {
    CompletableFuture<Void> bridgeAnswers = new CompletableFuture<>();
    watcher();
    TestClient client = connect(engine.client(holding(bridgeAnswers)), MqttVersion.MQTT_5,
        "ordered");

    client.send(publish(LONGEST, "kept", 1, 1));
    client.send(publish(TOO_LONG, "refused", 1, 2));
    client.expectNothingMore();

    bridgeAnswers.complete(null);
    engine.loop.runAll();

    // [MQTT-4.6.0-2] acks in the order of the publications.
    assertThat(reasonCode(client.next(PUBACK), 1)).isZero();
    assertThat(reasonCode(client.next(PUBACK), 2)).isEqualTo(0x90);
  }

  /** The in-memory bridge, whose sessions route a publication only once {@code answers}. */
  private MessagingBridge holding(CompletableFuture<Void> answers) {
    MessagingBridge inner = engine.bridge;
    return new MessagingBridge() {
      @Override
      public String name() {
        return "holding";
      }

      @Override
      public CompletionStage<BridgeSession> openSession(SessionRequest request) {
        return inner.openSession(request).thenApply(session -> new ForwardingSession(session) {
          @Override
          public CompletionStage<PublishResult> route(Publication publication, int packetId) {
            return answers.thenCompose(ignored -> inner.route(publication, packetId));
          }
        });
      }
    };
  }

  // ---------------------------------------------------------------- SUBSCRIBE, UNSUBSCRIBE

  @Test
  void whenMqtt5SubscribesOverTheBounds_thenThoseFiltersGet0x8F_andTheOthersAreServed() {
    TestClient client = connect(MqttVersion.MQTT_5, "sub5");

    client.send(Packets.subscribe(1, List.of(TOO_LONG, "a/+/#", TOO_DEEP), 1, 1, 1));

    MqttSubAckMessage subAck = (MqttSubAckMessage) client.next(SUBACK);
    assertThat(subAck.payload().reasonCodes()).containsExactly(0x8F, 1, 0x8F);
    TestClient publisher = engine.connected("pub", true);
    publisher.send(publish("a/b/c", "m", 0, 0));
    assertThat(TestClient.text(client.nextPublish())).isEqualTo("m");
    assertThat(lengthRefusals()).isEqualTo(1);
    assertThat(levelRefusals()).isEqualTo(1);
  }

  @Test
  void whenMqtt311SubscribesOverTheBounds_thenThatFilterGets0x80() {
    TestClient client = connect(MqttVersion.MQTT_3_1_1, "sub311");

    client.send(Packets.subscribe(1, List.of(LONGEST, TOO_LONG), 1, 2));

    MqttSubAckMessage subAck = (MqttSubAckMessage) client.next(SUBACK);
    assertThat(subAck.payload().reasonCodes()).containsExactly(1, 0x80);
    assertThat(client.port.closed).isFalse();
    assertThat(lengthRefusals()).isEqualTo(1);
  }

  @Test
  void whenASharedSubscriptionIsOverTheLength_thenTheFilterAsWrittenCounts() {
    TestClient client = connect(MqttVersion.MQTT_5, "share5");

    // "a/b" fits, "$share/g/a/b" (12 bytes) does not.
    client.send(Packets.subscribe(1, List.of("$share/g/a/b", "$share/g/a"), 1, 1));

    MqttSubAckMessage subAck = (MqttSubAckMessage) client.next(SUBACK);
    assertThat(subAck.payload().reasonCodes()).containsExactly(0x8F, 1);
  }

  @Test
  void whenMqtt5UnsubscribesOverTheBounds_thenThatFilterGets0x8F_andTheOthersAreRemoved() {
    TestClient client = connect(MqttVersion.MQTT_5, "unsub5");
    client.send(subscribe(1, "a/b", 1));
    client.next(SUBACK);

    client.send(unsubscribe(2, TOO_DEEP, "a/b", "x"));

    MqttUnsubAckMessage unsubAck = (MqttUnsubAckMessage) client.next(UNSUBACK);
    assertThat(unsubAck.payload().unsubscribeReasonCodes()).containsExactly(
        (short) 0x8F, (short) 0x00, (short) 0x11);
    TestClient publisher = engine.connected("pub", true);
    publisher.send(publish("a/b", "gone", 0, 0));
    client.expectNothingMore();
    assertThat(levelRefusals()).isEqualTo(1);
  }

  @Test
  void whenEveryFilterOfAnUnsubscribeIsRefused_thenUnsubAckAllWith0x8F() {
    TestClient client = connect(MqttVersion.MQTT_5, "unsub5all");

    client.send(unsubscribe(3, TOO_LONG, TOO_DEEP));

    MqttUnsubAckMessage unsubAck = (MqttUnsubAckMessage) client.next(UNSUBACK);
    assertThat(unsubAck.payload().unsubscribeReasonCodes())
        .containsExactly((short) 0x8F, (short) 0x8F);
  }

  @Test
  void whenMqtt311UnsubscribesOverTheBounds_thenAnOrdinaryUnsubAck_andTheConnectionStays() {
    TestClient client = connect(MqttVersion.MQTT_3_1_1, "unsub311");

    client.send(unsubscribe(4, TOO_LONG));

    client.expectAck(UNSUBACK, 4);
    assertThat(client.port.closed).isFalse();
    assertThat(lengthRefusals()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- will

  private static MqttMessage connectWithWill(MqttVersion version, String clientId, String topic) {
    return MqttMessageBuilders.connect().protocolVersion(version).clientId(clientId)
        .cleanSession(true).keepAlive(60).willFlag(true).willTopic(topic)
        .willQoS(MqttQoS.AT_LEAST_ONCE).willMessage("bye".getBytes(StandardCharsets.UTF_8))
        .build();
  }

  @Test
  void whenMqtt5WillTopicIsOverABound_thenConnAck0x90_andClosed() {
    TestClient client = engine.client();

    client.sendFailing(connectWithWill(MqttVersion.MQTT_5, "will5", TOO_LONG));

    assertThat(Auth5.code((MqttConnAckMessage) client.next())).isEqualTo(0x90);
    assertThat(client.port.closed).isTrue();
    assertThat(engine.registry.connectedCount()).isZero();
    assertThat(lengthRefusals()).isEqualTo(1);
  }

  @Test
  void whenMqtt311WillTopicIsOverABound_thenClosedWithoutConnAck_asForAMalformedWill() {
    TestClient client = engine.client();

    client.sendFailing(connectWithWill(MqttVersion.MQTT_3_1_1, "will311", TOO_DEEP));

    assertThat(client.rest()).isEmpty();
    assertThat(client.port.closed).isTrue();
    assertThat(levelRefusals()).isEqualTo(1);
  }

  @Test
  void whenTheWillTopicKeepsToTheBounds_thenConnected() {
    TestClient client = engine.client();

    client.send(connectWithWill(MqttVersion.MQTT_5, "willok", DEEPEST));

    assertThat(client.nextConnAck().variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    assertThat(lengthRefusals() + levelRefusals()).isZero();
  }

  // ---------------------------------------------------------------- defaults

  @Test
  void whenTheBoundsAreTheDefaults_thenOnlyMoreThan1024LevelsAreRefused() {
    try (EngineFixture defaults = new EngineFixture()) {
      TestClient client = defaults.client();
      connect(client, MqttVersion.MQTT_5, "defaults");
      String levels1024 = "a" + "/a".repeat(1023);

      client.send(publish("x".repeat(65_535), "longest", 1, 1));
      client.send(publish(levels1024, "deepest", 1, 2));
      client.send(publish(levels1024 + "/a", "too deep", 1, 3));

      // 0x10 No matching subscribers: a success, and nobody subscribed here.
      assertThat(reasonCode(client.next(PUBACK), 1)).isEqualTo(0x10);
      assertThat(reasonCode(client.next(PUBACK), 2)).isEqualTo(0x10);
      assertThat(reasonCode(client.next(PUBACK), 3)).isEqualTo(0x90);
      assertThat(defaults.statistics.topicLevelsRefusals()).isEqualTo(1);
      assertThat(defaults.statistics.topicLengthRefusals()).isZero();
    }
  }
}

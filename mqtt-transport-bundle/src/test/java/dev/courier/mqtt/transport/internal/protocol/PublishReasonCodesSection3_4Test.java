package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBCOMP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREC;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREL;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.Requirements;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.PublishResult;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 sections 3.4.2.1 and 3.5.2.1: a publication the server refuses (the authorizer says no,
 * or the topic is reserved) is answered PUBACK/PUBREC 0x87 Not authorized and not delivered; a
 * PUBREC with an error ends the QoS 2 exchange (4.3.3), so the packet id is free at once and its
 * reuse is a new publication. The bridge's result gives 0x10 No matching subscribers (a success:
 * the exchange goes on) and 0x97 Quota exceeded (not kept). MQTT 3.1.1 keeps acknowledging a
 * refused publication as usual [MQTT-3.3.5-2], and closes without an ack when the bridge is full.
 */
class PublishReasonCodesSection3_4Test {

  private static final int NOT_AUTHORIZED = 0x87;

  private final AccessControl access = AccessControl.open();
  private final EngineFixture engine = new EngineFixture(TransportConfig.defaults(), access);

  @AfterEach
  void close() {
    engine.close();
  }

  /** Refuses publishing to every topic under secret/. */
  private void refuseSecrets() {
    refuse(false);
  }

  /** Refuses publishing under secret/, and subscribing there too if {@code subscriptions}. */
  private void refuse(boolean subscriptions) {
    access.authorizer(new Authorizer() {
      @Override
      public CompletionStage<Boolean> mayPublish(ClientIdentity client, String topic) {
        return CompletableFuture.completedFuture(!topic.startsWith("secret/"));
      }

      @Override
      public CompletionStage<Boolean> maySubscribe(ClientIdentity client, String filter) {
        return CompletableFuture.completedFuture(!subscriptions || !filter.startsWith("secret/"));
      }
    });
  }

  private TestClient connect5(String clientId) {
    TestClient client = engine.client();
    client.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5)
        .clientId(clientId).cleanSession(true).keepAlive(60).build());
    assertThat(client.nextConnAck().variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    return client;
  }

  /** The reason code of a 5.0 ack; one without (the short form) means 0x00 Success. */
  private static int reasonCode(MqttMessage ack, int packetId) {
    MqttMessageIdVariableHeader header = (MqttMessageIdVariableHeader) ack.variableHeader();
    assertThat(header.messageId()).isEqualTo(packetId);
    return header instanceof MqttPubReplyMessageVariableHeader reply
        ? reply.reasonCode() & 0xFF : 0;
  }

  private TestClient watcher() {
    TestClient watcher = engine.connected("watcher", true);
    watcher.send(subscribe(1, "#", 2));
    watcher.next(SUBACK);
    return watcher;
  }

  @Test
  void whenAuthorizerRefusesQos1_thenPubAck0x87_andAnAllowedOneStillSucceeds() {
    refuseSecrets();
    TestClient watcher = watcher();
    TestClient client = connect5("pub5");

    client.send(publish("secret/a", "x", 1, 1));
    client.send(publish("open/a", "y", 1, 2));

    assertThat(reasonCode(client.next(PUBACK), 1)).isEqualTo(NOT_AUTHORIZED);
    assertThat(reasonCode(client.next(PUBACK), 2)).isEqualTo(0);
    assertThat(TestClient.text(watcher.nextPublish())).isEqualTo("y");
    watcher.expectNothingMore();
    assertThat(client.port.closed).isFalse();
  }

  @Test
  void whenAuthorizerRefusesQos2_thenPubRec0x87_andThePacketIdIsFreeForANewPublication() {
    refuseSecrets();
    TestClient watcher = watcher();
    TestClient client = connect5("pub5q2");

    client.send(publish("secret/b", "x", 2, 7));
    assertThat(reasonCode(client.next(PUBREC), 7)).isEqualTo(NOT_AUTHORIZED);

    // No PUBREL follows an error PUBREC: id 7 starts a new exchange, not a duplicate.
    client.send(publish("open/b", "z", 2, 7));
    assertThat(reasonCode(client.next(PUBREC), 7)).isEqualTo(0);
    client.send(Packets.ack(PUBREL, 7));
    client.expectAck(PUBCOMP, 7);
    assertThat(TestClient.text(watcher.nextPublish())).isEqualTo("z");
    watcher.expectNothingMore();
  }

  @Test
  void whenPublishingToAReservedTopic_thenPubAck0x87() {
    TestClient watcher = watcher();
    TestClient client = connect5("pubres");

    client.send(publish("$courier/x", "x", 1, 3));

    assertThat(reasonCode(client.next(PUBACK), 3)).isEqualTo(NOT_AUTHORIZED);
    watcher.expectNothingMore();
    assertThat(access.deniedPublications()).isEqualTo(1);
  }

  @Test
  void whenRefusalsAreUnspecified_thenARefusedPublishAndSubscribeFilterGet0x80_andOthersSucceed() {
    refuse(true);
    access.refusal(Requirements.Refusal.UNSPECIFIED);
    TestClient client = connect5("quiet");

    client.send(publish("secret/a", "x", 1, 1));
    client.send(publish("$courier/x", "x", 2, 2));
    assertThat(reasonCode(client.next(PUBACK), 1)).isEqualTo(0x80);
    assertThat(reasonCode(client.next(PUBREC), 2)).isEqualTo(0x80);

    client.send(Packets.subscribe(3, List.of("secret/#", "$courier/#", "open/#"), 1, 1, 1));
    MqttSubAckMessage subAck = (MqttSubAckMessage) client.next(SUBACK);
    assertThat(subAck.payload().reasonCodes()).containsExactly(0x80, 0x80, 1);
    assertThat(client.port.closed).isFalse();
  }

  @Test
  void whenMqtt311ClientIsRefused_thenAcknowledgedAsUsual() {
    refuseSecrets();
    TestClient client = engine.connected("pub311", true);

    client.send(publish("secret/c", "x", 1, 4));

    MqttMessage ack = client.next(PUBACK);
    assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
    assertThat(ack.variableHeader()).isNotInstanceOf(MqttPubReplyMessageVariableHeader.class);
    assertThat(client.port.closed).isFalse();
  }

  /** A bridge whose sessions answer every publication with {@code result} (and keep it). */
  private MessagingBridge answering(PublishResult result) {
    MessagingBridge inner = engine.bridge;
    return new MessagingBridge() {
      @Override
      public String name() {
        return "answering";
      }

      @Override
      public CompletionStage<BridgeSession> openSession(SessionRequest request) {
        return inner.openSession(request).thenApply(session -> new ForwardingSession(session) {
          @Override
          public CompletionStage<PublishResult> route(Publication publication, int packetId) {
            return result.kept()
                ? inner.route(publication, packetId).thenApply(ignored -> result)
                : CompletableFuture.completedFuture(result);
          }
        });
      }
    };
  }

  private TestClient connect(MessagingBridge bridge, MqttVersion version, String clientId) {
    TestClient client = engine.client(bridge);
    client.send(MqttMessageBuilders.connect().protocolVersion(version).clientId(clientId)
        .cleanSession(true).keepAlive(60).build());
    assertThat(client.nextConnAck().variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    return client;
  }

  @Test
  void whenTheBridgeFindsNoSubscriber_thenPubAckAndPubRec0x10_andTheFlowGoesOn() {
    TestClient client =
        connect(answering(PublishResult.NO_MATCHING_SUBSCRIBERS), MqttVersion.MQTT_5, "lonely");

    client.send(publish("nobody/listens", "x", 1, 1));
    client.send(publish("nobody/listens", "y", 2, 2));

    assertThat(reasonCode(client.next(PUBACK), 1)).isEqualTo(0x10);
    assertThat(reasonCode(client.next(PUBREC), 2)).isEqualTo(0x10);
    // 0x10 is a success: the QoS 2 exchange continues [MQTT-4.3.3].
    client.send(Packets.ack(PUBREL, 2));
    client.expectAck(PUBCOMP, 2);
  }

  @Test
  void whenTheBridgeIsFull_thenPubAck0x97On5_andTheConnectionStays() {
    TestClient client =
        connect(answering(PublishResult.QUOTA_EXCEEDED), MqttVersion.MQTT_5, "full5");

    client.send(publish("busy", "x", 1, 1));
    client.send(publish("busy", "y", 2, 2));

    assertThat(reasonCode(client.next(PUBACK), 1)).isEqualTo(0x97);
    assertThat(reasonCode(client.next(PUBREC), 2)).isEqualTo(0x97);
    // An error PUBREC ends the exchange: the id is free for a new publication at once.
    client.send(publish("busy", "z", 2, 2));
    assertThat(reasonCode(client.next(PUBREC), 2)).isEqualTo(0x97);
    assertThat(client.port.closed).isFalse();
  }

  @Test
  void whenTheBridgeIsFull_thenA311ClientIsClosedWithoutAnAck() {
    TestClient client =
        connect(answering(PublishResult.QUOTA_EXCEEDED), MqttVersion.MQTT_3_1_1, "full311");

    client.send(publish("busy", "x", 1, 1));
    engine.loop.runAll();

    assertThat(client.port.closed).isTrue();
    assertThat(client.rest()).noneMatch(m -> m.fixedHeader().messageType() == PUBACK);
  }

  @Test
  void whenTheBridgeFindsNoSubscriberFor311_thenAnOrdinaryPubAck() {
    TestClient client = connect(answering(PublishResult.NO_MATCHING_SUBSCRIBERS),
        MqttVersion.MQTT_3_1_1, "lonely311");

    client.send(publish("nobody/listens", "x", 1, 1));

    MqttMessage ack = client.next(PUBACK);
    assertThat(ack.variableHeader()).isNotInstanceOf(MqttPubReplyMessageVariableHeader.class);
  }

  @Test
  void whenNobodySubscribesOnTheInMemoryBridge_thenPubAck0x10_andTheRetainedMessageIsKept() {
    TestClient client = connect(engine.bridge, MqttVersion.MQTT_5, "first");
    client.send(Packets.publish("lonely/topic", "kept", 1, 1, true, false));
    assertThat(reasonCode(client.next(PUBACK), 1)).isEqualTo(0x10);

    TestClient late = engine.connected("late", true);
    late.send(subscribe(1, "lonely/#", 1));
    // The retained message and the SUBACK, in either order.
    List<MqttMessage> answer = late.rest();
    assertThat(answer).anyMatch(m -> m.fixedHeader().messageType() == SUBACK);
    assertThat(answer).filteredOn(MqttPublishMessage.class::isInstance)
        .extracting(m -> TestClient.text((MqttPublishMessage) m)).containsExactly("kept");

    client.send(publish("lonely/topic", "now heard", 1, 2));
    assertThat(reasonCode(client.next(PUBACK), 2)).isEqualTo(0);
  }
}

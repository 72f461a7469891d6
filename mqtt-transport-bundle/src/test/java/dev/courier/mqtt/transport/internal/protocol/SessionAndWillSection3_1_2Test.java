package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.text;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 3.1.1 section 3.1.2 (clean session, will) with 3.1.4 (takeover [MQTT-3.1.4-2]) and 3.14
 * (DISCONNECT): what happens to a session and its will when a connection ends, and the bounds of a
 * session's queue.
 */
class SessionAndWillSection3_1_2Test {

  private EngineFixture engine = new EngineFixture();

  @AfterEach
  void close() {
    engine.close();
  }

  private TestClient watcher(String filter) {
    TestClient client = engine.connected("watcher-" + filter.hashCode(), true);
    client.send(subscribe(1, filter, 2));
    client.next(SUBACK);
    return client;
  }

  private TestClient withWill(String clientId, String topic, String text) {
    TestClient client = engine.client();
    client.send(Packets.connectWithWill(clientId, topic, text, MqttQoS.AT_LEAST_ONCE, false));
    client.nextConnAck();
    return client;
  }

  @Test
  void whenConnectionIsLostWithoutDisconnect_thenWillIsPublished() {
    TestClient watcher = watcher("will/#");
    TestClient client = withWill("mortal", "will/mortal", "bye");

    client.drop();

    MqttPublishMessage will = watcher.nextPublish();
    assertThat(will.variableHeader().topicName()).isEqualTo("will/mortal");
    assertThat(text(will)).isEqualTo("bye");
    assertThat(will.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
    watcher.expectNothingMore();
  }

  @Test
  void whenClosedForAProtocolViolation_thenWillIsPublished() {
    TestClient watcher = watcher("will/#");
    TestClient client = withWill("rude", "will/rude", "bye");

    client.sendViolating(Packets.connect("rude", true));

    assertThat(watcher.nextPublish().variableHeader().topicName()).isEqualTo("will/rude");
  }

  @Test
  void whenDisconnectSent_thenWillIsNotPublished() {
    TestClient watcher = watcher("will/#");
    TestClient client = withWill("polite", "will/polite", "bye");

    client.send(Packets.disconnect());

    assertThat(client.port.closed).isTrue();
    watcher.expectNothingMore();
    assertThat(engine.registry.connectedCount()).isEqualTo(1); // the watcher
  }

  @Test
  void whenPacketFollowsDisconnectInTheSameRead_thenItIsNotProcessed() {
    TestClient watcher = watcher("after/#");
    TestClient client = engine.connected("leaver", true);

    // Both in one read batch: the engine sees PUBLISH before the channel reports the close.
    client.connection.handle(Packets.disconnect());
    MqttPublishMessage late = publish("after/disconnect", "late", 0, 0);
    try {
      client.connection.handle(late);
    } finally {
      late.release();
    }
    engine.loop.runAll();

    watcher.expectNothingMore();
  }

  @Test
  void whenSameClientIdConnectsAgain_thenFirstConnectionIsClosedAndSecondAccepted() {
    TestClient watcher = watcher("will/#");
    TestClient first = withWill("twin", "will/twin", "taken over");

    TestClient second = engine.client();
    second.connect("twin", true);

    assertThat(first.port.closed).isTrue();
    assertThat(second.port.closed).isFalse();
    assertThat(engine.registry.connectedCount()).isEqualTo(2); // watcher and second
    // [MQTT-3.1.4-2] takeover closes the first without DISCONNECT: its will is published.
    assertThat(watcher.nextPublish().variableHeader().topicName()).isEqualTo("will/twin");
  }

  @Test
  void whenPersistentSessionIsTakenOver_thenSecondSeesSessionPresentAndGetsInFlightMessages() {
    TestClient first = engine.connected("owner", false);
    first.send(subscribe(1, "take", 1));
    first.next(SUBACK);
    TestClient pub = engine.connected("pub", true);
    pub.send(publish("take", "pending", 1, 1));
    MqttPublishMessage unacked = first.nextPublish();

    TestClient second = engine.client();
    assertThat(second.connect("owner", false).variableHeader().isSessionPresent()).isTrue();

    assertThat(first.port.closed).isTrue();
    MqttPublishMessage resent = second.nextPublish();
    assertThat(resent.fixedHeader().isDup()).isTrue();
    assertThat(resent.variableHeader().packetId()).isEqualTo(unacked.variableHeader().packetId());
  }

  @Test
  void whenThirdConnectionClaimsIdBeforeTheLoopRuns_thenThirdIsAccepted() {
    TestClient first = engine.connected("contested", true);
    TestClient second = engine.client();
    TestClient third = engine.client();

    second.connection.handle(Packets.connect("contested", true));
    third.connection.handle(Packets.connect("contested", true));
    engine.loop.runAll();

    assertThatOnlyThirdIsConnected(first, second, third);
  }

  @Test
  void whenThirdClaimsIdWhileTheSecondsClaimIsCompleting_thenThirdIsAccepted() {
    TestClient first = engine.connected("contested", true);
    TestClient second = engine.client();
    TestClient third = engine.client();

    second.connection.handle(Packets.connect("contested", true));
    assertThat(engine.loop.runOne()).as("takeover of the first").isTrue();
    assertThat(engine.loop.runOne()).as("close of the first reported").isTrue();
    // The second's claim has completed (its afterClaim is queued) when the third claims.
    third.connection.handle(Packets.connect("contested", true));
    engine.loop.runAll();

    assertThatOnlyThirdIsConnected(first, second, third);
  }

  private void assertThatOnlyThirdIsConnected(TestClient first, TestClient second,
      TestClient third) {
    assertThat(first.port.closed).isTrue();
    assertThat(second.port.closed).isTrue();
    assertThat(third.port.closed).isFalse();
    assertThat(third.connection.state()).isEqualTo(MqttConnection.State.CONNECTED);
    assertThat(third.rest()).extracting(m -> m.fixedHeader().messageType())
        .containsExactly(MqttMessageType.CONNACK);
    second.expectNothingMore();
    assertThat(engine.registry.connectedCount()).isEqualTo(1);
  }

  @Test
  void whenCleanSessionEnds_thenBridgeAndRegistryForgetIt() {
    TestClient client = engine.connected("brief", true);
    client.send(subscribe(1, "gone/#", 1));
    client.next(SUBACK);
    assertThat(engine.bridge.sessionCount()).isEqualTo(1);

    client.drop();

    assertThat(engine.bridge.sessionCount()).isZero();
    assertThat(engine.registry.sessionCount()).isZero();
    assertThat(engine.registry.connectedCount()).isZero();
  }

  @Test
  void whenOfflineQueueIsFull_thenFurtherMessagesAreDroppedAndCounted_andQos0IsNotQueued() {
    engine.close();
    engine = new EngineFixture(EngineFixture.config(256, 64, 5));
    TestClient sub = engine.connected("away", false);
    sub.send(subscribe(1, "q", 1));
    sub.next(SUBACK);
    sub.drop();

    TestClient pub = engine.connected("pub", true);
    for (int i = 0; i < 8; i++) {
      pub.send(publish("q", "m" + i, 1, i + 1));
      pub.expectAck(PUBACK, i + 1); // dropped or not, the publisher's flow completes
    }
    for (int i = 0; i < 3; i++) {
      pub.send(publish("q", "qos0-" + i, 0, 0));
    }

    assertThat(engine.bridge.droppedMessages()).isEqualTo(3);
    TestClient back = engine.client();
    back.connect("away", false);
    List<MqttMessage> delivered = back.rest();
    assertThat(delivered).map(m -> text((MqttPublishMessage) m))
        .containsExactly("m0", "m1", "m2", "m3", "m4");
  }

  @Test
  void whenSubscriberIsSlow_thenPublisherReadingIsPaused_andResumedWhenTheQueueDrains() {
    engine.close();
    engine = new EngineFixture(EngineFixture.config(256, 2, 8));
    TestClient sub = engine.connected("slow", true);
    sub.send(subscribe(1, "bp", 0));
    sub.next(SUBACK);
    sub.port.writable = false;

    TestClient pub = engine.connected("fast", true);
    for (int i = 1; i <= 4; i++) {
      pub.send(publish("bp", "m" + i, 1, i));
      pub.expectAck(PUBACK, i);
    }
    pub.send(publish("bp", "m5", 1, 5)); // queue above half its bound: the bridge holds the stage
    pub.send(publish("bp", "m6", 1, 6));
    pub.expectNothingMore();
    assertThat(pub.port.paused).as("publisher reading paused").isTrue();

    sub.port.writable = true;
    sub.connection.writable();
    engine.loop.runAll();

    pub.expectAck(PUBACK, 5);
    pub.expectAck(PUBACK, 6);
    assertThat(pub.port.paused).isFalse();
    assertThat(sub.rest()).hasSize(6);
    assertThat(engine.bridge.droppedMessages()).isZero();
  }
}

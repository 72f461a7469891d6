package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.ack;
import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.packetId;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.text;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBCOMP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREC;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREL;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 3.1.1 section 4.4, message delivery retry, and the in-flight window that bounds it: a
 * resumed persistent session gets its unacknowledged QoS 1 and 2 messages again with the same
 * packet identifiers and DUP set [MQTT-4.4.0-1] [MQTT-3.3.1-1], in the original order
 * [MQTT-4.6.0-1]; at most {@code maxInflightMessages} are unacknowledged at a time.
 */
class DeliveryRetrySection4_4Test {

  private static final int WINDOW = 3;
  private EngineFixture engine = new EngineFixture(EngineFixture.config(256, WINDOW, 1000));

  @AfterEach
  void close() {
    engine.close();
  }

  private TestClient subscriber(String id, boolean clean, String filter, int qos) {
    TestClient client = engine.connected(id, clean);
    client.send(subscribe(1, filter, qos));
    client.next(SUBACK);
    return client;
  }

  @Test
  void whenMoreQos1MessagesThanTheWindow_thenOnlyWindowIsSent_andEachPubAckRefillsIt() {
    TestClient sub = subscriber("sub", true, "w", 1);
    TestClient pub = engine.connected("pub", true);
    for (int i = 0; i < 6; i++) {
      pub.send(publish("w", "m" + i, 1, i + 1));
    }

    List<MqttMessage> firstBatch = sub.rest();
    assertThat(firstBatch).hasSize(WINDOW);
    assertThat(firstBatch).map(m -> text((MqttPublishMessage) m)).containsExactly("m0", "m1", "m2");

    sub.send(ack(PUBACK, packetId(firstBatch.get(1))));
    MqttPublishMessage fourth = sub.nextPublish();
    assertThat(text(fourth)).isEqualTo("m3");
    sub.expectNothingMore();

    sub.send(ack(PUBACK, 60_000)); // unknown id: frees nothing
    sub.expectNothingMore();

    sub.send(ack(PUBACK, packetId(firstBatch.get(0))));
    sub.send(ack(PUBACK, packetId(firstBatch.get(2))));
    assertThat(sub.rest()).map(m -> text((MqttPublishMessage) m)).containsExactly("m4", "m5");
  }

  @Test
  void whenQos2InFlight_thenPubRecKeepsTheSlot_andPubCompFreesIt() {
    TestClient sub = subscriber("sub", true, "w2", 2);
    TestClient pub = engine.connected("pub", true);
    for (int i = 0; i < WINDOW + 1; i++) {
      pub.send(publish("w2", "m" + i, 2, i + 1));
    }
    List<MqttMessage> sent = sub.rest();
    assertThat(sent).hasSize(WINDOW);

    int first = packetId(sent.get(0));
    sub.send(ack(PUBREC, first));
    sub.expectAck(PUBREL, first);
    sub.expectNothingMore();

    sub.send(ack(PUBCOMP, first));
    assertThat(text(sub.nextPublish())).isEqualTo("m" + WINDOW);
  }

  @Test
  void whenConnectionIsNotWritable_thenNothingIsDelivered_untilItIsAgain() {
    TestClient sub = subscriber("sub", true, "slow", 0);
    TestClient pub = engine.connected("pub", true);
    sub.port.writable = false;

    pub.send(publish("slow", "held", 0, 0));
    sub.expectNothingMore();

    sub.port.writable = true;
    sub.connection.writable();
    assertThat(text(sub.nextPublish())).isEqualTo("held");
  }

  @Test
  void whenMoreQos0MessagesThanOneDrainBatch_thenAllAreDeliveredInOrder() {
    engine.close();
    engine = new EngineFixture(EngineFixture.config(256, WINDOW, 5000));
    TestClient sub = subscriber("sub", true, "many", 0);
    TestClient pub = engine.connected("pub", true);
    sub.port.writable = false;
    for (int i = 0; i < 1500; i++) {
      pub.send(publish("many", "m" + i, 0, 0));
    }
    sub.expectNothingMore();

    sub.port.writable = true;
    sub.connection.writable();
    engine.loop.runAll();

    List<MqttMessage> delivered = sub.rest();
    assertThat(delivered).hasSize(1500);
    for (int i = 0; i < delivered.size(); i++) {
      assertThat(text((MqttPublishMessage) delivered.get(i))).isEqualTo("m" + i);
    }
  }

  @Test
  void whenSessionResumes_thenUnackedAreResentWithDupAndSameIds_andPubRelAfterPubRec() {
    TestClient sub = subscriber("resume", false, "r/#", 2);
    TestClient pub = engine.connected("pub", true);
    pub.send(publish("r/1", "qos1", 1, 1));
    pub.send(publish("r/2", "qos2-unreceived", 2, 2));
    pub.send(publish("r/3", "qos2-received", 2, 3));
    MqttPublishMessage one = sub.nextPublish();
    MqttPublishMessage two = sub.nextPublish();
    MqttPublishMessage three = sub.nextPublish();
    sub.send(ack(PUBREC, packetId(three)));
    sub.expectAck(PUBREL, packetId(three));
    sub.drop();

    TestClient again = engine.client();
    assertThat(again.connect("resume", false).variableHeader().isSessionPresent()).isTrue();

    MqttPublishMessage oneAgain = again.nextPublish();
    assertThat(packetId(oneAgain)).isEqualTo(packetId(one));
    assertThat(oneAgain.fixedHeader().isDup()).isTrue();
    assertThat(oneAgain.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
    assertThat(text(oneAgain)).isEqualTo("qos1");
    assertThat(oneAgain.variableHeader().topicName()).isEqualTo("r/1");

    MqttPublishMessage twoAgain = again.nextPublish();
    assertThat(packetId(twoAgain)).isEqualTo(packetId(two));
    assertThat(twoAgain.fixedHeader().isDup()).isTrue();
    assertThat(twoAgain.fixedHeader().qosLevel()).isEqualTo(MqttQoS.EXACTLY_ONCE);
    assertThat(text(twoAgain)).isEqualTo("qos2-unreceived");

    again.expectAck(PUBREL, packetId(three));
    again.expectNothingMore();

    // The flows complete on the new connection; a further resume has nothing left to resend.
    again.send(ack(PUBACK, packetId(one)));
    again.send(ack(PUBREC, packetId(two)));
    again.expectAck(PUBREL, packetId(two));
    again.send(ack(PUBCOMP, packetId(two)));
    again.send(ack(PUBCOMP, packetId(three)));
    again.drop();
    TestClient third = engine.client();
    third.connect("resume", false);
    third.expectNothingMore();
  }

  @Test
  void whenSessionResumes_thenNewDeliveriesGetFreshIdsAndTheWindowCountsResentOnes() {
    TestClient sub = subscriber("resume", false, "r", 1);
    TestClient pub = engine.connected("pub", true);
    for (int i = 0; i < WINDOW; i++) {
      pub.send(publish("r", "old" + i, 1, i + 1));
    }
    List<MqttMessage> inFlight = sub.rest();
    assertThat(inFlight).hasSize(WINDOW);
    sub.drop();
    pub.send(publish("r", "new", 1, 10)); // queued while the subscriber is away

    TestClient again = engine.client();
    again.connect("resume", false);
    List<MqttMessage> resent = again.rest();
    assertThat(resent).map(TestClient::packetId)
        .containsExactlyElementsOf(inFlight.stream().map(TestClient::packetId).toList());
    assertThat(resent).allMatch(m -> m.fixedHeader().isDup());

    again.send(ack(PUBACK, packetId(resent.get(0))));
    MqttPublishMessage fresh = again.nextPublish();
    assertThat(text(fresh)).isEqualTo("new");
    assertThat(fresh.fixedHeader().isDup()).isFalse();
    assertThat(packetId(fresh)).isNotIn(packetId(resent.get(1)), packetId(resent.get(2)));
  }

  @Test
  void whenCleanSessionReconnects_thenNothingIsResent() {
    TestClient sub = subscriber("cleanly", true, "c", 1);
    TestClient pub = engine.connected("pub", true);
    pub.send(publish("c", "x", 1, 1));
    sub.nextPublish();
    sub.drop();

    TestClient again = engine.client();
    assertThat(again.connect("cleanly", true).variableHeader().isSessionPresent()).isFalse();
    again.expectNothingMore();
  }

  @Test
  void whenPersistentSessionResumes_thenQos2PacketIdAwaitingPubRelIsStillKnown() {
    TestClient sub = subscriber("watch", true, "in2", 2);
    TestClient pub = engine.connected("pub2", false);
    pub.send(publish("in2", "once", 2, 77));
    pub.expectAck(PUBREC, 77);
    pub.drop();
    assertThat(text(sub.nextPublish())).isEqualTo("once");

    TestClient again = engine.client();
    again.connect("pub2", false);
    // [MQTT-4.3.3-2] the client did not get PUBREC and resends; the message is not routed twice.
    again.send(publish("in2", "once", 2, 77, false, true));
    again.expectAck(PUBREC, 77);
    again.send(ack(PUBREL, 77));
    again.expectAck(PUBCOMP, 77);
    sub.expectNothingMore();
  }
}

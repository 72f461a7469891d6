package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.Packets.unsubscribe;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.packetId;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.text;
import static io.netty.handler.codec.mqtt.MqttMessageType.PINGRESP;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.UNSUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 3.1.1 sections 3.8 to 3.13: SUBSCRIBE/SUBACK, UNSUBSCRIBE/UNSUBACK, PINGREQ/PINGRESP, and
 * what a subscription delivers: retained messages [MQTT-3.3.1-6], one copy per matching session at
 * the highest QoS [MQTT-3.3.5-1].
 */
class SubscribeSection3_8Test {

  private final EngineFixture engine = new EngineFixture();

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void whenSubscribe_thenSubAckWithSamePacketIdAndGrantedQosInOrder_and0x80ForInvalidFilter() {
    TestClient client = engine.connected("s", true);

    client.send(subscribe(42, List.of("a/b", "a/#/b", "x/+", "bad+", "#"), 2, 1, 0, 1, 1));

    MqttSubAckMessage subAck = (MqttSubAckMessage) client.next(SUBACK);
    assertThat(subAck.variableHeader().messageId()).isEqualTo(42);
    assertThat(subAck.payload().reasonCodes()).containsExactly(2, 0x80, 0, 0x80, 1);
    client.expectNothingMore();
  }

  @Test
  void whenEveryFilterIsInvalid_thenSubAckHasOnly0x80() {
    TestClient client = engine.connected("s", true);
    client.send(subscribe(5, List.of("a#", ""), 1, 1));

    MqttSubAckMessage subAck = (MqttSubAckMessage) client.next(SUBACK);
    assertThat(subAck.payload().reasonCodes()).containsExactly(0x80, 0x80);
  }

  @Test
  void whenSubscribeHasNoFilters_thenViolation() {
    TestClient client = engine.connected("s", true);
    MqttSubscribeMessage empty = new MqttSubscribeMessage(
        new MqttFixedHeader(MqttMessageType.SUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE, false, 0),
        MqttMessageIdVariableHeader.from(1), new MqttSubscribePayload(List.of()));
    assertThat(client.sendViolating(empty).rule()).isEqualTo("MQTT-3.8.3-3");
  }

  @Test
  void whenUnsubscribeHasNoFilters_thenViolation() {
    TestClient client = engine.connected("s", true);
    MqttUnsubscribeMessage empty = new MqttUnsubscribeMessage(
        new MqttFixedHeader(MqttMessageType.UNSUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE, false, 0),
        MqttMessageIdVariableHeader.from(1), new MqttUnsubscribePayload(List.of()));
    assertThat(client.sendViolating(empty).rule()).isEqualTo("MQTT-3.10.3-2");
  }

  @Test
  void whenUnsubscribed_thenUnsubAckWithSameId_andNoMoreDelivery() {
    TestClient sub = engine.connected("sub", true);
    sub.send(subscribe(1, "u/t", 0));
    sub.next(SUBACK);
    TestClient pub = engine.connected("pub", true);
    pub.send(publish("u/t", "before", 0, 0));
    assertThat(text(sub.nextPublish())).isEqualTo("before");

    sub.send(unsubscribe(99, "u/t"));
    sub.expectAck(UNSUBACK, 99);
    pub.send(publish("u/t", "after", 0, 0));
    sub.expectNothingMore();
  }

  @Test
  void whenUnsubscribingAFilterNeverSubscribed_thenUnsubAckAnyway() {
    TestClient client = engine.connected("s", true);
    client.send(unsubscribe(3, "never/subscribed"));
    client.expectAck(UNSUBACK, 3);
  }

  @Test
  void whenSubscribedAgainWithOtherQos_thenTheSubscriptionIsReplaced() {
    TestClient sub = engine.connected("sub", true);
    sub.send(subscribe(1, "r/q", 2));
    sub.next(SUBACK);
    sub.send(subscribe(2, "r/q", 0));
    sub.next(SUBACK);
    TestClient pub = engine.connected("pub", true);

    pub.send(publish("r/q", "x", 2, 1));

    MqttPublishMessage delivered = sub.nextPublish();
    assertThat(delivered.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_MOST_ONCE);
    sub.expectNothingMore();
  }

  @Test
  void whenPingReq_thenPingResp() {
    TestClient client = engine.connected("p", true);
    client.send(Packets.pingreq());
    client.next(PINGRESP);
    client.expectNothingMore();
  }

  @Test
  void whenSubscribingToTopicWithRetainedMessage_thenItArrivesWithRetainSet() {
    TestClient pub = engine.connected("pub", true);
    pub.send(publish("ret/a", "kept", 1, 1, true, false));
    pub.send(publish("ret/b", "also kept", 0, 0, true, false));

    TestClient sub = engine.connected("sub", true);
    sub.send(subscribe(1, "ret/a", 2));
    List<MqttMessage> answer = sub.rest();
    List<MqttPublishMessage> publishes = answer.stream()
        .filter(MqttPublishMessage.class::isInstance).map(MqttPublishMessage.class::cast).toList();
    assertThat(answer).anyMatch(m -> m.fixedHeader().messageType() == SUBACK);
    assertThat(publishes).hasSize(1);
    MqttPublishMessage retained = publishes.get(0);
    assertThat(text(retained)).isEqualTo("kept");
    assertThat(retained.fixedHeader().isRetain()).isTrue();
    assertThat(retained.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
    assertThat(packetId(retained)).isNotZero();

    // [MQTT-3.3.1-9] a message routed to an existing subscription goes out without RETAIN.
    pub.send(publish("ret/a", "live", 0, 0, true, false));
    MqttPublishMessage live = sub.nextPublish();
    assertThat(text(live)).isEqualTo("live");
    assertThat(live.fixedHeader().isRetain()).isFalse();
  }

  @Test
  void whenOverlappingSubscriptionsMatch_thenOneCopyAtTheHighestQos() {
    TestClient sub = engine.connected("sub", true);
    sub.send(subscribe(1, List.of("o/+/x", "o/#", "o/a/x"), 0, 1, 2));
    sub.next(SUBACK);
    TestClient pub = engine.connected("pub", true);

    pub.send(publish("o/a/x", "one", 2, 1));
    pub.send(publish("o/b/x", "two", 2, 2));

    MqttPublishMessage first = sub.nextPublish();
    assertThat(text(first)).isEqualTo("one");
    assertThat(first.fixedHeader().qosLevel()).isEqualTo(MqttQoS.EXACTLY_ONCE);
    MqttPublishMessage second = sub.nextPublish();
    assertThat(text(second)).isEqualTo("two");
    assertThat(second.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
    sub.expectNothingMore();
  }
}

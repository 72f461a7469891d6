package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.ack;
import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.packetId;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBCOMP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREC;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREL;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 4.9, flow control: the server never has more unacknowledged QoS 1 and QoS 2
 * deliveries out than the client's Receive Maximum [MQTT-3.3.4-7] [MQTT-4.9.0-2] and sends more as
 * each is acknowledged (PUBACK, or PUBCOMP for QoS 2; a PUBREC does not free the slot); a client
 * that sends more unacknowledged publications than the server's Receive Maximum is disconnected
 * with 0x93 [MQTT-3.3.4-9].
 */
class FlowControlSection4_9Test {

  private final EngineFixture engine = new EngineFixture();

  @AfterEach
  void close() {
    engine.close();
  }

  /** A 5.0 client with {@code receiveMaximum} (0: the property absent, 65,535). */
  private TestClient connect5(String clientId, int receiveMaximum) {
    MqttProperties properties = new MqttProperties();
    if (receiveMaximum > 0) {
      properties.add(new MqttProperties.IntegerProperty(MqttPropertyType.RECEIVE_MAXIMUM.value(),
          receiveMaximum));
    }
    TestClient client = engine.client();
    client.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5)
        .clientId(clientId).cleanSession(true).keepAlive(60).properties(properties).build());
    client.nextConnAck();
    return client;
  }

  private static List<MqttPublishMessage> publishes(List<MqttMessage> messages) {
    List<MqttPublishMessage> publishes = new ArrayList<>();
    for (MqttMessage message : messages) {
      if (message.fixedHeader().messageType() == PUBLISH) {
        publishes.add((MqttPublishMessage) message);
      }
    }
    return publishes;
  }

  /** Publishes {@code count} messages "m0".. at {@code qos}, each acknowledged to the publisher. */
  private void publishMany(int count, int qos) {
    TestClient publisher = engine.connected("pub", true);
    for (int i = 0; i < count; i++) {
      publisher.send(publish("flow", "m" + i, qos, i + 1));
      if (qos == 2) {
        publisher.expectAck(PUBREC, i + 1);
        publisher.send(ack(PUBREL, i + 1));
        publisher.expectAck(PUBCOMP, i + 1);
      } else {
        publisher.expectAck(PUBACK, i + 1);
      }
    }
  }

  @Test
  void whenClientReceiveMaximumIs2_thenOnlyTwoQos1DeliveriesAreOutUntilOneIsAcknowledged() {
    TestClient subscriber = connect5("sub", 2);
    subscriber.send(Packets.subscribe(1, "flow", 1));
    subscriber.next(SUBACK);

    publishMany(5, 1);
    engine.loop.runAll();

    List<MqttPublishMessage> first = publishes(subscriber.rest());
    assertThat(first).extracting(TestClient::text).containsExactly("m0", "m1");
    subscriber.send(ack(PUBACK, packetId(first.get(0))));
    engine.loop.runAll();
    List<MqttPublishMessage> second = publishes(subscriber.rest());
    assertThat(second).extracting(TestClient::text).containsExactly("m2");

    subscriber.send(ack(PUBACK, packetId(first.get(1))));
    subscriber.send(ack(PUBACK, packetId(second.get(0))));
    engine.loop.runAll();
    assertThat(publishes(subscriber.rest())).extracting(TestClient::text)
        .containsExactly("m3", "m4");
  }

  @Test
  void whenQos2_thenPubRecDoesNotFreeTheSlot_butPubCompDoes() {
    TestClient subscriber = connect5("sub2", 1);
    subscriber.send(Packets.subscribe(1, "flow", 2));
    subscriber.next(SUBACK);

    publishMany(2, 2);
    engine.loop.runAll();

    List<MqttPublishMessage> first = publishes(subscriber.rest());
    assertThat(first).extracting(TestClient::text).containsExactly("m0");
    int id = packetId(first.get(0));
    subscriber.send(ack(PUBREC, id));
    engine.loop.runAll();
    List<MqttMessage> afterPubRec = subscriber.rest();
    assertThat(afterPubRec).extracting(m -> m.fixedHeader().messageType()).containsExactly(PUBREL);
    subscriber.send(ack(PUBCOMP, id));
    engine.loop.runAll();
    assertThat(publishes(subscriber.rest())).extracting(TestClient::text).containsExactly("m1");
  }

  @Test
  void whenClientSendsMoreThanTheServersReceiveMaximum_thenDisconnect0x93() {
    TestClient client = connect5("greedy", 0);
    int maximum = engine.config.maxInflightMessages();
    // QoS 2 publications stay unacknowledged until PUBREL: maximum of them fill the window.
    for (int i = 1; i <= maximum; i++) {
      client.send(publish("flow", "x", 2, i));
      client.expectAck(PUBREC, i);
    }

    ProtocolViolation violation = client.sendViolating(publish("flow", "x", 2, maximum + 1));

    assertThat(violation.reason()).isEqualTo(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
  }

  @Test
  void whenTheServersReceiveMaximumIsAdvertised_thenItIsMaxInflightMessages() {
    TestClient client = engine.client();
    client.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5)
        .clientId("c").cleanSession(true).keepAlive(60).build());
    MqttConnAckMessage connAck = client.nextConnAck();

    assertThat(connAck.variableHeader().properties()
        .getProperty(MqttPropertyType.RECEIVE_MAXIMUM.value()).value())
        .isEqualTo(engine.config.maxInflightMessages());
  }
}

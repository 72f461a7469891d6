package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Acks5.connect;
import static dev.courier.mqtt.transport.internal.protocol.Acks5.properties;
import static dev.courier.mqtt.transport.internal.protocol.Acks5.reasonString;
import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.Packets.unsubscribe;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBCOMP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREC;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREL;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.UNSUBACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.4.2.2.2 and its siblings: the Reason String of an ack with an error (or other
 * non-success) code. It is sent only if the client asked for problem information
 * [MQTT-3.1.2-29] (DISCONNECT too: allowed either way, this server keeps to the request), and
 * never where it would make the packet exceed the client's Maximum Packet Size: then the ack goes
 * without it [MQTT-3.4.2-2] [MQTT-3.5.2-2] [MQTT-3.9.2-1] [MQTT-3.11.2-1] [MQTT-3.14.2-3]. A
 * success ack has no properties. CONNACK: {@link ConnAckReasonStringSection3_2_2_3_9Test}.
 */
class ReasonStringSection3_4_2_2Test {

  private static final String NOT_AUTHORIZED = "not authorized to publish to this topic";
  /** The size of PUBACK 0x87 with {@link #NOT_AUTHORIZED}: 2 + 3 + 1 + 3 + 39 bytes. */
  private static final int PUBACK_0X87_WITH_STRING = 48;

  private final EngineFixture engine = new EngineFixture();

  @AfterEach
  void close() {
    engine.close();
  }

  private TestClient connected(String clientId, int problemInformation, int maximumPacketSize) {
    TestClient client = engine.client();
    client.send(connect(clientId, problemInformation, maximumPacketSize));
    assertThat(Auth5.code(client.nextConnAck())).isZero();
    return client;
  }

  private static int pubReplyCode(MqttMessage ack) {
    return ((MqttPubReplyMessageVariableHeader) ack.variableHeader()).reasonCode() & 0xFF;
  }

  /** [MQTT-3.4.2-2] [MQTT-3.5.2-2] a refused publication's PUBACK and PUBREC say why. */
  @Test
  void whenAPublicationIsRefused_thenPubAckAndPubRec0x87CarryAReasonString() {
    TestClient client = connected("pub", -1, -1);

    client.send(publish("$courier/x", "x", 1, 1));
    client.send(publish("$courier/x", "x", 2, 2));

    MqttMessage pubAck = client.next(PUBACK);
    assertThat(pubReplyCode(pubAck)).isEqualTo(0x87);
    assertThat(reasonString(pubAck)).isEqualTo(NOT_AUTHORIZED);
    MqttMessage pubRec = client.next(PUBREC);
    assertThat(pubReplyCode(pubRec)).isEqualTo(0x87);
    assertThat(reasonString(pubRec)).isEqualTo(NOT_AUTHORIZED);
  }

  /** 3.4.2.1: 0x10 is a success; its code says it all, no Reason String. */
  @Test
  void whenNobodySubscribes_thenPubAck0x10CarriesNoReasonString() {
    TestClient client = connected("lonely", 1, -1);

    client.send(publish("nobody/listens", "x", 1, 1));

    MqttMessage pubAck = client.next(PUBACK);
    assertThat(pubReplyCode(pubAck)).isEqualTo(0x10);
    assertThat(reasonString(pubAck)).isNull();
  }

  /** [MQTT-3.9.2-1] area: one Reason String names the causes of every refused filter. */
  @Test
  void whenSubscribeFiltersAreRefused_thenSubAckSummarisesTheirCauses() {
    TestClient client = connected("sub", 1, -1);

    client.send(subscribe(1, List.of("ok/#", "bad/#/x", "$courier/y", "$courier/z"), 1, 1, 1, 1));

    MqttSubAckMessage subAck = (MqttSubAckMessage) client.next(SUBACK);
    assertThat(subAck.payload().reasonCodes()).containsExactly(1, 0x8F, 0x87, 0x87);
    assertThat(reasonString(subAck)).isEqualTo("not authorized; topic filter invalid");
  }

  /** 3.11.3: 0x11 No subscription existed is a success; its code says it all. */
  @Test
  void whenAnUnsubscribedFilterWasNotHeld_thenUnsubAck0x11CarriesNoReasonString() {
    TestClient client = connected("unsub", 1, -1);

    client.send(unsubscribe(2, "never/had"));

    MqttUnsubAckMessage unsubAck = (MqttUnsubAckMessage) client.next(UNSUBACK);
    assertThat(unsubAck.payload().unsubscribeReasonCodes()).containsExactly((short) 0x11);
    assertThat(reasonString(unsubAck)).isNull();
  }

  /** [MQTT-3.1.2-29] Request Problem Information 0: no Reason String on any ack. */
  @Test
  void whenProblemInformationIs0_thenErrorAcksCarryNoReasonString() {
    TestClient client = connected("quiet", 0, -1);

    client.send(publish("$courier/x", "x", 1, 1));
    client.send(subscribe(2, List.of("bad/#/x"), 1));
    client.send(unsubscribe(3, "never/had"));

    MqttMessage pubAck = client.next(PUBACK);
    assertThat(pubReplyCode(pubAck)).isEqualTo(0x87);
    assertThat(properties(pubAck).isEmpty()).isTrue();
    MqttSubAckMessage subAck = (MqttSubAckMessage) client.next(SUBACK);
    assertThat(subAck.payload().reasonCodes()).containsExactly(0x8F);
    assertThat(properties(subAck).isEmpty()).isTrue();
    assertThat(properties(client.next(UNSUBACK)).isEmpty()).isTrue();
  }

  /** [MQTT-3.4.2-2] exactly at the client's Maximum Packet Size the Reason String is sent. */
  @Test
  void whenThePubAckWithItsReasonStringIsExactlyTheMaximumPacketSize_thenItIsSent() {
    TestClient client = connected("exact", 1, PUBACK_0X87_WITH_STRING);

    client.send(publish("$courier/x", "x", 1, 1));

    assertThat(reasonString(client.next(PUBACK))).isEqualTo(NOT_AUTHORIZED);
  }

  /** [MQTT-3.4.2-2] one byte more than the client takes: the PUBACK goes without it. */
  @Test
  void whenTheReasonStringWouldExceedTheMaximumPacketSize_thenPubAckIsSentWithoutIt() {
    TestClient client = connected("small", 1, PUBACK_0X87_WITH_STRING - 1);

    client.send(publish("$courier/x", "x", 1, 1));

    MqttMessage pubAck = client.next(PUBACK);
    assertThat(pubReplyCode(pubAck)).isEqualTo(0x87);
    assertThat(properties(pubAck).isEmpty()).isTrue();
  }

  /** [MQTT-3.9.2-1] [MQTT-3.11.2-1] the same for SUBACK and UNSUBACK. */
  @Test
  void whenTheReasonStringWouldExceedTheMaximumPacketSize_thenSubAckAndUnsubAckGoWithoutIt() {
    TestClient client = connected("tiny", 1, 20);

    client.send(subscribe(1, List.of("bad/#/x"), 1));
    client.send(unsubscribe(2, "never/had"));

    MqttSubAckMessage subAck = (MqttSubAckMessage) client.next(SUBACK);
    assertThat(subAck.payload().reasonCodes()).containsExactly(0x8F);
    assertThat(properties(subAck).isEmpty()).isTrue();
    MqttUnsubAckMessage unsubAck = (MqttUnsubAckMessage) client.next(UNSUBACK);
    assertThat(unsubAck.payload().unsubscribeReasonCodes()).containsExactly((short) 0x11);
    assertThat(properties(unsubAck).isEmpty()).isTrue();
  }

  /** [MQTT-3.14.2-3] a server DISCONNECT too large with its Reason String goes without it. */
  @Test
  void whenTheReasonStringWouldExceedTheMaximumPacketSize_thenDisconnectGoesWithoutIt() {
    TestClient roomy = connected("roomy", 1, -1);
    TestClient tiny = connected("tiny", 1, 10);

    violate(roomy, publish("a", "x", 1, 0));
    violate(tiny, publish("a", "x", 1, 0));

    MqttMessage told = roomy.next(MqttMessageType.DISCONNECT);
    assertThat(Auth5.code(told)).isEqualTo(0x82);
    assertThat(reasonString(told)).isEqualTo("QoS 1 PUBLISH with packet id 0");
    MqttMessage untold = tiny.next(MqttMessageType.DISCONNECT);
    assertThat(Auth5.code(untold)).isEqualTo(0x82);
    assertThat(properties(untold).isEmpty()).isTrue();
  }

  /** A packet breaking the protocol, handled as the connection handler does. */
  private void violate(TestClient client, MqttMessage message) {
    ProtocolViolation violation;
    try {
      violation = catchThrowableOfType(() -> client.connection.handle(message),
          ProtocolViolation.class);
    } finally {
      ReferenceCountUtil.release(message);
    }
    client.connection.fail(violation);
    engine.loop.runAll();
  }

  /** 3.4.2.1 and siblings: success acks are the short form, or carry no properties. */
  @Test
  void whenAcksSucceed_thenTheyCarryNoProperties() {
    TestClient watcher = connected("watcher", 1, -1);
    watcher.send(subscribe(1, List.of("t/#"), 2));
    MqttMessage subAck = watcher.next(SUBACK);
    assertThat(properties(subAck).isEmpty()).isTrue();
    TestClient client = connected("happy", 1, -1);

    client.send(publish("t/1", "x", 1, 1));
    client.send(publish("t/2", "y", 2, 2));
    client.send(Packets.ack(PUBREL, 2));
    watcher.send(unsubscribe(3, "t/#"));

    for (MqttMessageType type : List.of(PUBACK, PUBREC, PUBCOMP)) {
      MqttMessage ack = client.next(type);
      assertThat(ack.variableHeader()).as(type.name())
          .isNotInstanceOf(MqttPubReplyMessageVariableHeader.class);
    }
    List<MqttMessage> rest = watcher.rest();
    assertThat(rest).filteredOn(m -> m.fixedHeader().messageType() == UNSUBACK).singleElement()
        .satisfies(unsubAck -> assertThat(properties(unsubAck).isEmpty()).isTrue());
  }
}

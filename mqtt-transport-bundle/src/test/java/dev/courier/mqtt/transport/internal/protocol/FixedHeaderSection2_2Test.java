package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MQTT 3.1.1 section 2.2.2: the reserved flags of the fixed header [MQTT-2.2.2-1]
 * [MQTT-2.2.2-2], and the DUP rule of a QoS 0 PUBLISH [MQTT-3.3.1-2]. A packet with wrong flags
 * closes the connection.
 */
class FixedHeaderSection2_2Test {

  private final EngineFixture engine = new EngineFixture();

  @AfterEach
  void close() {
    engine.close();
  }

  private static MqttMessage withFlags(MqttMessageType type, boolean dup, int qos,
      boolean retain) {
    MqttFixedHeader header = new MqttFixedHeader(type, dup, MqttQoS.valueOf(qos), retain, 0);
    return switch (type) {
      case PUBREL, PUBACK, PUBREC, PUBCOMP -> new MqttMessage(header,
          MqttMessageIdVariableHeader.from(1));
      case SUBSCRIBE -> {
        MqttMessage valid = Packets.subscribe(1, "a", 0);
        yield new MqttSubscribeMessage(header,
            (MqttMessageIdVariableHeader) valid.variableHeader(),
            (MqttSubscribePayload) valid.payload());
      }
      case UNSUBSCRIBE -> {
        MqttMessage valid = Packets.unsubscribe(1, "a");
        yield new MqttUnsubscribeMessage(header,
            (MqttMessageIdVariableHeader) valid.variableHeader(),
            (MqttUnsubscribePayload) valid.payload());
      }
      default -> new MqttMessage(header);
    };
  }

  @ParameterizedTest(name = "{0} dup={1} qos={2} retain={3}")
  @CsvSource({
      "PINGREQ, false, 0, true",
      "PINGREQ, true, 0, false",
      "PINGREQ, false, 1, false",
      "DISCONNECT, false, 0, true",
      "PUBACK, false, 1, false",
      "PUBREC, true, 0, false",
      "PUBCOMP, false, 0, true",
      "PUBREL, false, 0, false",
      "PUBREL, false, 1, true",
      "SUBSCRIBE, false, 0, false",
      "SUBSCRIBE, true, 1, false",
      "UNSUBSCRIBE, false, 2, false",
      "UNSUBSCRIBE, false, 1, true",
  })
  void whenReservedFlagsAreWrong_thenViolationAndClose(MqttMessageType type, boolean dup,
      int qos, boolean retain) {
    TestClient client = engine.connected("flags", true);

    ProtocolViolation violation = client.sendViolating(withFlags(type, dup, qos, retain));

    assertThat(violation.rule()).isEqualTo("MQTT-2.2.2-2");
    assertThat(client.port.closed).isTrue();
    client.expectNothingMore();
  }

  @Test
  void whenConnectHasReservedFlags_thenViolationBeforeAnything() {
    TestClient client = engine.client();
    MqttMessage valid = Packets.connect("c", true);
    MqttMessage flagged = new MqttConnectMessage(
        new MqttFixedHeader(MqttMessageType.CONNECT, false, MqttQoS.AT_MOST_ONCE, true, 0),
        (MqttConnectVariableHeader) valid.variableHeader(),
        (MqttConnectPayload) valid.payload());

    assertThat(client.sendViolating(flagged).rule()).isEqualTo("MQTT-2.2.2-2");
    client.expectNothingMore();
    assertThat(engine.registry.connectedCount()).isZero();
  }

  @Test
  void whenQos0PublishHasDup_thenViolation() {
    TestClient client = engine.connected("dup0", true);
    MqttPublishMessage publish = new MqttPublishMessage(
        new MqttFixedHeader(MqttMessageType.PUBLISH, true, MqttQoS.AT_MOST_ONCE, false, 0),
        new MqttPublishVariableHeader("t", 0), Unpooled.buffer());

    assertThat(client.sendViolating(publish).rule()).isEqualTo("MQTT-3.3.1-2");
  }

  @Test
  void whenFlagsAreRight_thenNoViolation() {
    TestClient client = engine.connected("right", true);
    for (MqttMessage message : List.of(Packets.pingreq(),
        Packets.ack(MqttMessageType.PUBREL, 5), Packets.subscribe(2, "a", 1),
        Packets.unsubscribe(3, "a"), Packets.publish("t", "x", 1, 4, true, true))) {
      client.send(message);
    }
    assertThat(client.port.closed).isFalse();
  }
}

package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.junit.jupiter.api.Test;

/** The one violation type carries the rule broken and the reason code a 5.0 DISCONNECT gives. */
class ProtocolViolationTest {

  @Test
  void whenNoReasonIsGiven_thenItIsAProtocolError() {
    ProtocolViolation violation = new ProtocolViolation("MQTT-3.1.0-2", "second CONNECT");
    assertThat(violation.reason()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
    assertThat(violation.rule()).isEqualTo("MQTT-3.1.0-2");
    assertThat(violation).hasToString("[MQTT-3.1.0-2] second CONNECT (PROTOCOL_ERROR)");
  }

  @Test
  void whenASuccessCodeIsGiven_thenRejected() {
    assertThatThrownBy(() -> new ProtocolViolation(ReasonCode.SUCCESS, "x", "y"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void whenReservedFlagsAreWrong_thenTheClientSentAMalformedPacket() {
    try (EngineFixture engine = new EngineFixture()) {
      TestClient client = engine.connected("flags", true);
      MqttMessage badPing = new MqttMessage(
          new MqttFixedHeader(MqttMessageType.PINGREQ, true, MqttQoS.AT_MOST_ONCE, false, 0));
      assertThat(client.sendViolating(badPing).reason()).isEqualTo(ReasonCode.MALFORMED_PACKET);
    }
  }
}

package dev.courier.mqtt.transport.internal.protocol.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.util.Arrays;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 section 2.4 reason codes and what a 3.1.1 client is told instead. */
class ReasonCodeTest {

  @Test
  void everyCodeHasItsOwnWireValue_andIsFoundByIt() {
    assertThat(Arrays.stream(ReasonCode.values()).map(ReasonCode::value).distinct().count())
        .isEqualTo(ReasonCode.values().length);
    for (ReasonCode code : ReasonCode.values()) {
      assertThat(ReasonCode.of(code.value())).isSameAs(code);
    }
    assertThat(ReasonCode.values()).hasSize(43);
  }

  @Test
  void errorsAreThoseFrom0x80() {
    assertThat(ReasonCode.GRANTED_QOS_2.isError()).isFalse();
    assertThat(ReasonCode.RE_AUTHENTICATE.isError()).isFalse();
    assertThat(ReasonCode.UNSPECIFIED_ERROR.isError()).isTrue();
    assertThat(ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED.isError()).isTrue();
  }

  @Test
  void connectRefusalsMapOntoThe311ReturnCodes_agreeingWithNettysNames() {
    // [MQTT-3.2.2-4]/3.2.2.3: the five 3.1.1 refusals and the 5.0 codes that carry them.
    assertThat(code(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION)).isEqualTo(
        MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION.byteValue());
    assertThat(code(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID)).isEqualTo(
        MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED.byteValue());
    assertThat(code(ReasonCode.SERVER_UNAVAILABLE)).isEqualTo(
        MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE.byteValue());
    assertThat(code(ReasonCode.BAD_USER_NAME_OR_PASSWORD)).isEqualTo(
        MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD.byteValue());
    assertThat(code(ReasonCode.NOT_AUTHORIZED)).isEqualTo(
        MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED.byteValue());
    // 3.1.1 answers a malformed or broken CONNECT by closing, with no CONNACK.
    assertThat(ReasonCode.MALFORMED_PACKET.connectReturnCode()).isEmpty();
    assertThat(ReasonCode.PROTOCOL_ERROR.connectReturnCode()).isEmpty();
    assertThat(ReasonCode.SUCCESS.connectReturnCode()).isEmpty();
  }

  @Test
  void unknownValuesAreRejected() {
    assertThatThrownBy(() -> ReasonCode.of(0x03)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0x3");
    assertThatThrownBy(() -> ReasonCode.of(0x100)).isInstanceOf(IllegalArgumentException.class);
  }

  private static int code(ReasonCode reason) {
    OptionalInt code = reason.connectReturnCode();
    assertThat(code).as("%s has a 3.1.1 return code", reason).isPresent();
    return code.getAsInt();
  }
}

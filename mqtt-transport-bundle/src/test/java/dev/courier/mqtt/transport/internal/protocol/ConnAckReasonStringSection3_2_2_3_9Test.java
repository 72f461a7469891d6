package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Acks5.connect;
import static dev.courier.mqtt.transport.internal.protocol.Acks5.properties;
import static dev.courier.mqtt.transport.internal.protocol.Acks5.reasonString;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.2.2.3.9: the Reason String of a CONNACK refusing a CONNECT. The CONNACK may
 * carry it whatever the client's Request Problem Information [MQTT-3.1.2-29], but not where it
 * would exceed the client's Maximum Packet Size [MQTT-3.2.2-19]; the text is fixed per reason
 * code, so that it tells neither the authenticator's reason nor whether a user exists.
 */
class ConnAckReasonStringSection3_2_2_3_9Test {

  private final AccessControl access = AccessControl.open();
  private final EngineFixture engine = new EngineFixture(TransportConfig.defaults(), access);

  @AfterEach
  void close() {
    engine.close();
  }

  /**
   * [MQTT-3.1.2-29] CONNACK may carry a Reason String whatever was requested: a refusal says
   * which, in a fixed text that tells neither the authenticator's reason nor whether the user
   * exists.
   */
  @Test
  void whenConnectIsRefused_thenConnAckCarriesAFixedReasonStringEvenWithProblemInformation0() {
    access.authenticator(credentials -> CompletableFuture.completedFuture(
        AuthenticationResult.badCredentials("no user named bob")));
    TestClient client = engine.client();

    client.send(connect("refused", 0, -1));

    MqttConnAckMessage connAck = client.nextConnAck();
    assertThat(Auth5.code(connAck)).isEqualTo(0x86);
    assertThat(reasonString(connAck)).isEqualTo("bad user name or password");
    assertThat(client.port.closed).isTrue();
  }

  /** [MQTT-3.2.2-19] a refused CONNACK too large with its Reason String goes without it. */
  @Test
  void whenTheReasonStringWouldExceedTheMaximumPacketSize_thenConnAckGoesWithoutIt() {
    access.authenticator(credentials -> CompletableFuture.completedFuture(
        AuthenticationResult.badCredentials("no")));
    TestClient client = engine.client();

    client.send(connect("refused", 1, 20));

    MqttConnAckMessage connAck = client.nextConnAck();
    assertThat(Auth5.code(connAck)).isEqualTo(0x86);
    assertThat(properties(connAck).isEmpty()).isTrue();
  }

  /**
   * [MQTT-3.1.3-8] a client id the server does not accept is refused with 0x85 in the client's own
   * version, its Reason String within the client's Maximum Packet Size [MQTT-3.2.2-19].
   */
  @Test
  void whenA5ClientIdIsTooLong_thenConnAck0x85WithAReasonStringThatFits() {
    String tooLong = "x".repeat(engine.config.maxClientIdLength() + 1);
    TestClient roomy = engine.client();
    TestClient tiny = engine.client();

    roomy.send(connect(tooLong, 0, -1));
    tiny.send(connect(tooLong, 1, 10));

    MqttConnAckMessage told = roomy.nextConnAck();
    assertThat(Auth5.code(told)).isEqualTo(0x85);
    assertThat(reasonString(told)).isEqualTo("client identifier not valid");
    MqttConnAckMessage untold = tiny.nextConnAck();
    assertThat(Auth5.code(untold)).isEqualTo(0x85);
    assertThat(properties(untold).isEmpty()).isTrue();
  }
}

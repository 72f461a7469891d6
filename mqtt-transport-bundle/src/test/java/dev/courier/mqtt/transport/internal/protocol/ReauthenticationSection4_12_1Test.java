package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Auth5.assertAuth;
import static dev.courier.mqtt.transport.internal.protocol.Auth5.auth;
import static dev.courier.mqtt.transport.internal.protocol.Auth5.code;
import static dev.courier.mqtt.transport.internal.protocol.ScriptedAuthenticator.METHOD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.spi.auth.AuthStep;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MQTT 5.0 section 4.12.1, re-authentication: AUTH 0x19 after CONNACK starts an exchange with the
 * CONNECT's method, its success is AUTH 0x00 and changes who the connection is for topic
 * authorization, its failure is DISCONNECT; other traffic goes on meanwhile.
 */
class ReauthenticationSection4_12_1Test {

  private EnhancedAuthFixture fixture = new EnhancedAuthFixture(TransportConfig.defaults());
  private ScriptedAuthenticator authenticator = fixture.authenticator;

  @AfterEach
  void close() {
    fixture.close();
  }

  private ProtocolViolation send(TestClient client, MqttMessage message) {
    return fixture.send(client, message);
  }

  @Test
  void whenReauthenticationSucceeds_thenAuth0x00AndLaterPublishesAreAuthorizedForTheNewIdentity() {
    TestClient client = fixture.connectedWithExchange("re");
    authenticator.challenge("r-s1").succeed("bob", Set.of("admin"), "r-final");

    send(client, auth(0x19, METHOD, "r-c1"));
    assertAuth(client.next(), 0x18, METHOD, "r-s1");
    send(client, auth(0x18, METHOD, "r-c2"));
    assertAuth(client.next(), 0x00, METHOD, "r-final");
    send(client, Packets.publish("t/after", "x", 0, 0));

    assertThat(fixture.authorized).singleElement()
        .isEqualTo(new ClientIdentity("re", "bob", Set.of("admin")));
    assertThat(authenticator.received).containsExactly("c1", "c2", "r-c1", "r-c2");
    assertThat(authenticator.begun).hasSize(2).last().satisfies(begun -> {
      assertThat(begun.method()).isEqualTo(METHOD);
      assertThat(begun.reauthenticating())
          .isEqualTo(new ClientIdentity("re", "alice", Set.of("ops")));
    });
    assertThat(client.port.closed).isFalse();
  }

  @Test
  void whenReauthenticating_thenTheConnectPasswordIsNotPassedAgain() {
    authenticator.succeed("bob", Set.of(), null).succeed("bob", Set.of(), null);
    TestClient client = fixture.client();
    send(client, Auth5.connect("pw", METHOD, null, "bob", "secret"));
    assertThat(code(client.nextConnAck())).isZero();

    send(client, auth(0x19, METHOD, null));

    assertAuth(client.next(), 0x00, METHOD, null);
    assertThat(authenticator.begun).extracting(ScriptedAuthenticator.Begun::password)
        .containsExactly("secret", null);
    assertThat(authenticator.begun.get(1).credentials().username()).isEqualTo("bob");
  }

  @ParameterizedTest
  @CsvSource({"BAD_CREDENTIALS, 0x87", "NOT_AUTHORIZED, 0x87", "BAD_AUTHENTICATION_METHOD, 0x8C"})
  void whenReauthenticationFails_thenDisconnectWithItsCodeAndReasonString(
      AuthStep.Failure failure, String code) {
    TestClient client = fixture.connectedWithExchange("re-fail");
    authenticator.fail(failure, "revoked");

    send(client, auth(0x19, METHOD, "r-c1"));

    // [MQTT-4.12.1-2] DISCONNECT (which has no 0x86) and close.
    MqttMessage disconnect = client.next(MqttMessageType.DISCONNECT);
    assertThat(code(disconnect)).isEqualTo(Integer.decode(code));
    assertThat(Auth5.string(disconnect, MqttPropertyType.REASON_STRING)).isEqualTo("revoked");
    assertThat(client.port.closed).isTrue();
  }

  @Test
  void whenTheClientAskedForNoProblemInformation_thenTheDisconnectHasNoReasonString() {
    MqttProperties properties = Auth5.properties(METHOD, "c1");
    properties.add(new MqttProperties.IntegerProperty(
        MqttPropertyType.REQUEST_PROBLEM_INFORMATION.value(), 0));
    MqttConnectMessage connect = MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5)
        .clientId("quiet").cleanSession(true).keepAlive(60).properties(properties).build();
    authenticator.succeed("alice", Set.of(), null).fail(AuthStep.Failure.NOT_AUTHORIZED, "no");
    TestClient client = fixture.client();
    send(client, connect);
    assertThat(code(client.nextConnAck())).isZero();

    send(client, auth(0x19, METHOD, "r"));

    MqttMessage disconnect = client.next(MqttMessageType.DISCONNECT);
    assertThat(code(disconnect)).isEqualTo(0x87);
    assertThat(Auth5.string(disconnect, MqttPropertyType.REASON_STRING)).isNull();
  }

  @Test
  void whenReauthenticationRuns_thenPublicationsGoOn() {
    TestClient client = fixture.connectedWithExchange("busy");
    CompletableFuture<AuthStep> decision = authenticator.later();
    send(client, auth(0x19, METHOD, "r-c1"));
    assertThat(client.port.paused).as("reading goes on").isFalse();

    send(client, Packets.publish("t/during", "x", 1, 7));

    client.expectAck(MqttMessageType.PUBACK, 7);
    assertThat(fixture.authorized).singleElement()
        .isEqualTo(new ClientIdentity("busy", "alice", Set.of("ops")));
    decision.complete(AuthStep.success("alice", Set.of("ops"), null));
    fixture.engine.loop.runAll();
    assertAuth(client.next(), 0x00, METHOD, null);
  }

  @Test
  void whenASecondReauthenticationStartsDuringOne_thenDisconnect0x82() {
    TestClient client = fixture.connectedWithExchange("twice");
    authenticator.later();
    send(client, auth(0x19, METHOD, "r-c1"));

    ProtocolViolation violation = send(client, auth(0x19, METHOD, "again"));

    assertThat(violation.rule()).isEqualTo("MQTT-4.12.1-1");
    assertThat(code(client.next(MqttMessageType.DISCONNECT))).isEqualTo(0x82);
    assertThat(authenticator.abandoned).isEqualTo(1);
  }

  @Test
  void whenReauthenticationNamesAnotherMethod_thenDisconnect0x82() {
    TestClient client = fixture.connectedWithExchange("other");

    ProtocolViolation violation = send(client, auth(0x19, "OTHER", "r-c1"));

    assertThat(violation.rule()).isEqualTo("MQTT-4.12.0-5");
    assertThat(code(client.next(MqttMessageType.DISCONNECT))).isEqualTo(0x82);
    assertThat(authenticator.begun).hasSize(1);
  }

  @Test
  void whenAnAnswerComesWithoutAChallenge_thenDisconnect0x82() {
    TestClient client = fixture.connectedWithExchange("unasked");

    ProtocolViolation violation = send(client, auth(0x18, METHOD, "r-c1"));

    assertThat(violation.rule()).isEqualTo("MQTT-4.12.0-3");
    assertThat(code(client.next(MqttMessageType.DISCONNECT))).isEqualTo(0x82);
  }

  @Test
  void whenTheMethodIsNoLongerOffered_thenDisconnect0x8C() {
    TestClient client = fixture.connectedWithExchange("gone");
    fixture.access.enhancedAuthenticator(null);

    send(client, auth(0x19, METHOD, "r-c1"));

    assertThat(code(client.next(MqttMessageType.DISCONNECT))).isEqualTo(0x8C);
    assertThat(client.port.closed).isTrue();
  }

  @Test
  void whenTheClientDoesNotAnswerTheReauthenticationInTime_thenDisconnect0x87() {
    fixture.close();
    fixture = new EnhancedAuthFixture(EngineFixture.withAuthTimeout(1));
    authenticator = fixture.authenticator;
    TestClient client = fixture.connectedWithExchange("slow");
    authenticator.challenge("r-s1");
    send(client, auth(0x19, METHOD, "r-c1"));
    client.next(MqttMessageType.AUTH);

    fixture.awaitClosed(client);

    assertThat(code(client.next(MqttMessageType.DISCONNECT))).isEqualTo(0x87);
    assertThat(authenticator.abandoned).isEqualTo(1);
  }

  @Test
  void whenTheConnectionDropsDuringReauthentication_thenTheExchangeIsAbandoned() {
    TestClient client = fixture.connectedWithExchange("dropped");
    CompletableFuture<AuthStep> decision = authenticator.later();
    send(client, auth(0x19, METHOD, "r-c1"));

    client.drop();
    decision.complete(AuthStep.success("mallory", Set.of("admin"), null));
    fixture.engine.loop.runAll();

    assertThat(authenticator.abandoned).isEqualTo(1);
    client.expectNothingMore();
  }
}

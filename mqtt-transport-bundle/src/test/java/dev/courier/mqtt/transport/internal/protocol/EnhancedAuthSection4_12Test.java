package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Auth5.assertAuth;
import static dev.courier.mqtt.transport.internal.protocol.Auth5.auth;
import static dev.courier.mqtt.transport.internal.protocol.Auth5.code;
import static dev.courier.mqtt.transport.internal.protocol.Auth5.connect;
import static dev.courier.mqtt.transport.internal.protocol.ScriptedAuthenticator.METHOD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.spi.auth.AuthStep;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult;
import dev.courier.mqtt.transport.spi.auth.Authenticator;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MQTT 5.0 section 4.12, enhanced authentication at CONNECT: the AUTH exchange through the
 * enhanced authenticator (multi-step challenges, the CONNACK naming the method), its refusals
 * (failure codes, an unknown method 0x8C, timeouts, faults), and the protocol errors around it
 * (AUTH without a method, other packets before CONNACK, a wrong method or reason code).
 */
class EnhancedAuthSection4_12Test {

  private EnhancedAuthFixture fixture = new EnhancedAuthFixture(TransportConfig.defaults());
  private AccessControl access = fixture.access;
  private ScriptedAuthenticator authenticator = fixture.authenticator;
  private EngineFixture engine = fixture.engine;

  @AfterEach
  void close() {
    fixture.close();
  }

  private ProtocolViolation send(TestClient client, MqttMessage message) {
    return fixture.send(client, message);
  }

  private void assertRefused(TestClient client, int code) {
    fixture.assertRefused(client, code);
  }

  /** The fixture again, with {@code authTimeoutSeconds} 1. */
  private void withAuthTimeoutOfOneSecond() {
    fixture.close();
    fixture = new EnhancedAuthFixture(EngineFixture.withAuthTimeout(1));
    access = fixture.access;
    authenticator = fixture.authenticator;
    engine = fixture.engine;
  }

  @Test
  void whenTheExchangeTakesSeveralSteps_thenAuthContinuesUntilConnAckNamesTheMethodAndFinalData() {
    authenticator.challenge("s1").challenge("s2").succeed("alice", Set.of("ops"), "s-final");
    TestClient client = engine.client();

    send(client, connect("multi", METHOD, "c1"));
    // [MQTT-4.12.0-2] [MQTT-4.12.0-5] AUTH 0x18 with the method; reading goes on for the answer.
    assertAuth(client.next(), 0x18, METHOD, "s1");
    assertThat(client.port.paused).as("reading while the client owes the answer").isFalse();
    send(client, auth(0x18, METHOD, "c2"));
    assertAuth(client.next(), 0x18, METHOD, "s2");
    send(client, auth(0x18, METHOD, "c3"));

    MqttConnAckMessage connAck = client.nextConnAck();
    assertThat(code(connAck)).isZero();
    assertThat(Auth5.string(connAck, MqttPropertyType.AUTHENTICATION_METHOD)).isEqualTo(METHOD);
    assertThat(Auth5.data(connAck)).isEqualTo("s-final");
    assertThat(authenticator.received).containsExactly("c1", "c2", "c3");
    assertThat(authenticator.begun).singleElement().satisfies(begun -> {
      assertThat(begun.method()).isEqualTo(METHOD);
      assertThat(begun.reauthenticating()).isNull();
    });
    assertThat(authenticator.abandoned).isZero();
    assertThat(client.port.paused).isFalse();
  }

  @Test
  void whenAccepted_thenTopicAuthorizationSeesTheUserAndRolesOfTheExchange() {
    TestClient client = fixture.connectedWithExchange("who");

    send(client, Packets.publish("t/1", "x", 0, 0));

    assertThat(fixture.authorized).singleElement()
        .isEqualTo(new ClientIdentity("who", "alice", Set.of("ops")));
  }

  @Test
  void whenTheConnectCarriesUserNameAndPassword_thenTheyArePassedToTheExchange() {
    authenticator.succeed("bob", Set.of(), null);
    TestClient client = engine.client();

    send(client, connect("creds", METHOD, null, "bob", "pw"));

    assertThat(code(client.nextConnAck())).isZero();
    assertThat(authenticator.begun).singleElement().satisfies(begun -> {
      assertThat(begun.credentials().username()).isEqualTo("bob");
      assertThat(begun.password()).isEqualTo("pw");
    });
    assertThat(authenticator.received).as("no data: empty").containsExactly("");
  }

  @Test
  void whenTheMethodSucceedsAtOnce_thenConnAckWithoutAuthAndWithoutData() {
    authenticator.succeed("carol", Set.of(), null);
    TestClient client = engine.client();

    send(client, connect("once", METHOD, "all"));

    MqttConnAckMessage connAck = client.nextConnAck();
    assertThat(code(connAck)).isZero();
    assertThat(Auth5.data(connAck)).isNull();
    client.expectNothingMore();
  }

  @ParameterizedTest
  @CsvSource({"BAD_CREDENTIALS, 0x86", "NOT_AUTHORIZED, 0x87", "BAD_AUTHENTICATION_METHOD, 0x8C"})
  void whenTheExchangeFails_thenConnAckWithItsCodeAndClosed(AuthStep.Failure failure,
      String code) {
    authenticator.challenge("s1").fail(failure, "no");
    TestClient client = engine.client();
    send(client, connect("failing", METHOD, "c1"));
    client.next(MqttMessageType.AUTH);

    send(client, auth(0x18, METHOD, "c2"));

    assertRefused(client, Integer.decode(code));
    assertThat(access.refusedConnects()).isEqualTo(1);
    assertThat(authenticator.abandoned).as("a final step is not abandoned").isZero();
  }

  @Test
  void whenNoEnhancedAuthenticatorOffersTheMethod_thenConnAck0x8C() {
    TestClient client = engine.client();

    send(client, connect("unknown", "KERBEROS", "x"));

    assertRefused(client, 0x8C);
    assertThat(authenticator.begun).isEmpty();
  }

  @Test
  void whenNoEnhancedAuthenticatorIsRegistered_thenConnAck0x8C() {
    access.enhancedAuthenticator(null);
    TestClient client = engine.client();

    send(client, connect("none", METHOD, "x"));

    assertRefused(client, 0x8C);
  }

  @Test
  void whenAuthenticationIsRequiredAndNoAuthenticatorIsThere_thenConnAck0x88FailClosed() {
    access.enhancedAuthenticator(null);
    access.authenticatorRequired(true);
    TestClient client = engine.client();

    send(client, connect("closed", METHOD, "x"));

    assertRefused(client, 0x88);
  }

  @Test
  void whenOnlyThePlainAuthenticatorIsThere_thenItIsNotAskedAboutAConnectWithAMethod() {
    List<Object> asked = new ArrayList<>();
    access.authenticator(credentials -> {
      asked.add(credentials);
      return CompletableFuture.completedFuture(AuthenticationResult.anonymous());
    });
    access.enhancedAuthenticator(null);
    TestClient client = engine.client();

    send(client, connect("plain", METHOD, "x"));

    assertRefused(client, 0x8C);
    assertThat(asked).isEmpty();
  }

  @Test
  void whenTheClientDoesNotAnswerInTime_thenConnAck0x87AndTheExchangeIsAbandoned() {
    withAuthTimeoutOfOneSecond();
    authenticator.challenge("s1");
    TestClient client = engine.client();
    send(client, connect("slow-client", METHOD, "c1"));
    client.next(MqttMessageType.AUTH);

    fixture.awaitClosed(client);

    assertRefused(client, 0x87);
    assertThat(authenticator.abandoned).isEqualTo(1);
  }

  @Test
  void whenTheAuthenticatorDoesNotAnswerInTime_thenConnAck0x88AndTheExchangeIsAbandoned() {
    withAuthTimeoutOfOneSecond();
    authenticator.later();
    TestClient client = engine.client();
    send(client, connect("slow-server", METHOD, "c1"));
    assertThat(client.port.paused).as("nothing read while the authenticator decides").isTrue();
    client.expectNothingMore();

    fixture.awaitClosed(client);

    assertRefused(client, 0x88);
    assertThat(authenticator.abandoned).isEqualTo(1);
  }

  @Test
  void whenTheAuthenticatorAnswersLater_thenTheStepIsTakenOnTheLoop() {
    CompletableFuture<AuthStep> first = authenticator.later();
    TestClient client = engine.client();
    send(client, connect("later", METHOD, "c1"));
    client.expectNothingMore();

    first.complete(AuthStep.challenge(ScriptedAuthenticator.utf8("s1")));
    engine.loop.runAll();

    assertAuth(client.next(), 0x18, METHOD, "s1");
  }

  @Test
  void whenTheAuthenticatorThrowsAtBegin_thenConnAck0x88() {
    authenticator.beginFailure = new IllegalStateException("broken");
    TestClient client = engine.client();

    send(client, connect("broken", METHOD, "c1"));

    assertRefused(client, 0x88);
  }

  @Test
  void whenTheStageFails_thenConnAck0x88AndTheExchangeIsAbandoned() {
    authenticator.later().completeExceptionally(new IllegalStateException("directory down"));
    TestClient client = engine.client();

    send(client, connect("failed", METHOD, "c1"));

    assertRefused(client, 0x88);
    assertThat(authenticator.abandoned).isEqualTo(1);
  }

  @Test
  void whenAClientWithoutMethodSendsAuth_thenDisconnect0x82() {
    TestClient client = engine.client();
    send(client, MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5)
        .clientId("plain5").cleanSession(true).keepAlive(60).build());
    assertThat(code(client.nextConnAck())).isZero();

    ProtocolViolation violation = send(client, auth(0x19, METHOD, "x"));

    // [MQTT-4.12.0-7]
    assertThat(violation.rule()).isEqualTo("MQTT-4.12.0-7");
    assertThat(code(client.next(MqttMessageType.DISCONNECT))).isEqualTo(0x82);
    assertThat(client.port.closed).isTrue();
  }

  @Test
  void whenAnMqtt311ClientSendsAuth_thenClosedWithoutAPacket() {
    TestClient client = engine.client();
    send(client, Packets.connect("old", true));
    assertThat(code(client.nextConnAck())).isZero();

    send(client, auth(0x19, METHOD, "x"));

    assertThat(client.port.closed).isTrue();
    client.expectNothingMore();
  }

  @Test
  void whenAuthenticationDataComesWithoutMethod_thenConnAck0x82() {
    TestClient client = engine.client();
    send(client, MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5)
        .clientId("data-only").cleanSession(true).keepAlive(60)
        .properties(Auth5.properties(null, "x")).build());

    assertRefused(client, 0x82);
  }

  @Test
  void whenTheClientPublishesDuringTheExchange_thenConnAck0x82AndTheExchangeIsAbandoned() {
    authenticator.challenge("s1");
    TestClient client = engine.client();
    send(client, connect("eager", METHOD, "c1"));
    client.next(MqttMessageType.AUTH);

    ProtocolViolation violation = send(client, Packets.publish("t/1", "early", 1, 1));

    assertThat(violation.rule()).isEqualTo("MQTT-3.1.2-30");
    assertRefused(client, 0x82);
    assertThat(authenticator.abandoned).isEqualTo(1);
  }

  @Test
  void whenTheClientPingsDuringTheExchange_thenConnAck0x82() {
    authenticator.later();
    TestClient client = engine.client();
    send(client, connect("pinger", METHOD, "c1"));

    send(client, Packets.pingreq());

    assertRefused(client, 0x82);
    assertThat(authenticator.abandoned).isEqualTo(1);
  }

  @Test
  void whenTheClientDisconnectsDuringTheExchange_thenClosedWithoutConnAck() {
    authenticator.challenge("s1");
    TestClient client = engine.client();
    send(client, connect("leaving", METHOD, "c1"));
    client.next(MqttMessageType.AUTH);

    send(client, Packets.disconnect());

    assertThat(client.port.closed).isTrue();
    client.expectNothingMore();
    assertThat(authenticator.abandoned).isEqualTo(1);
    assertThat(engine.registry.connectedCount()).isZero();
  }

  @Test
  void whenTheClientAnswersBeforeBeingAsked_thenConnAck0x82() {
    authenticator.later();
    TestClient client = engine.client();
    send(client, connect("ahead", METHOD, "c1"));

    ProtocolViolation violation = send(client, auth(0x18, METHOD, "c2"));

    assertThat(violation.rule()).isEqualTo("MQTT-4.12.0-3");
    assertRefused(client, 0x82);
  }

  @Test
  void whenTheAnswerNamesAnotherMethod_thenConnAck0x82() {
    authenticator.challenge("s1");
    TestClient client = engine.client();
    send(client, connect("switch", METHOD, "c1"));
    client.next(MqttMessageType.AUTH);

    ProtocolViolation violation = send(client, auth(0x18, "OTHER", "c2"));

    assertThat(violation.rule()).isEqualTo("MQTT-4.12.0-5");
    assertRefused(client, 0x82);
  }

  @Test
  void whenTheAnswerHasNoMethod_thenConnAck0x82() {
    authenticator.challenge("s1");
    TestClient client = engine.client();
    send(client, connect("nameless", METHOD, "c1"));
    client.next(MqttMessageType.AUTH);

    send(client, auth(0x18, null, "c2"));

    assertRefused(client, 0x82);
  }

  @ParameterizedTest
  @CsvSource({"0x00, MQTT-3.15.2-1", "0x19, MQTT-4.12.1-1", "0x87, MQTT-3.15.2-1"})
  void whenTheAnswerHasAnotherReasonCode_thenConnAck0x82(String code, String rule) {
    authenticator.challenge("s1");
    TestClient client = engine.client();
    send(client, connect("wrong-code", METHOD, "c1"));
    client.next(MqttMessageType.AUTH);

    ProtocolViolation violation = send(client, auth(Integer.decode(code), METHOD, "c2"));

    assertThat(violation.rule()).isEqualTo(rule);
    assertRefused(client, 0x82);
  }
}

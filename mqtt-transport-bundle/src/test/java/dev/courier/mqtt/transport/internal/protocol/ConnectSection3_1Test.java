package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import static dev.courier.mqtt.transport.internal.protocol.Packets.connect;
import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.bridge.memory.InMemoryBridge;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT 3.1.1 sections 3.1 (CONNECT) and 3.2 (CONNACK): return codes, client identifiers, the
 * session present flag, keep-alive, and packets before, during and after the CONNECT exchange.
 */
class ConnectSection3_1Test {

  private EngineFixture engine = new EngineFixture();

  @AfterEach
  void close() {
    engine.close();
  }

  private static MqttConnectReturnCode code(MqttConnAckMessage connAck) {
    return connAck.variableHeader().connectReturnCode();
  }

  @Test
  void whenConnect_thenConnAckAcceptedAndReadingResumed() {
    TestClient client = engine.client();
    MqttConnAckMessage connAck = client.connect("c1", true);

    assertThat(code(connAck)).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    assertThat(connAck.variableHeader().isSessionPresent()).isFalse();
    assertThat(client.port.paused).isFalse();
    assertThat(client.port.closed).isFalse();
    assertThat(client.connection.clientId()).isEqualTo("c1");
    assertThat(client.connection.state()).isEqualTo(MqttConnection.State.CONNECTED);
    assertThat(engine.registry.connectedCount()).isEqualTo(1);
    client.expectNothingMore();
  }

  @Test
  void whenMqtt5ProtocolLevel_thenAcceptedWithTheServersLimitsInConnAck() {
    TestClient client = engine.client();
    client.send(connect(MqttVersion.MQTT_5, "five", true));

    MqttConnAckMessage connAck = client.nextConnAck();
    assertThat(code(connAck).byteValue()).isEqualTo((byte) 0x00);
    // MQTT 5.0 3.2.2.3: Receive Maximum, Topic Alias Maximum, Maximum Packet Size.
    MqttProperties properties = connAck.variableHeader().properties();
    assertThat(properties.getProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value())
        .value()).isEqualTo(engine.config.maxInflightMessages());
    assertThat(properties.getProperty(MqttProperties.MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value())
        .value()).isEqualTo(16);
    // 3.2.2.3.14: absent means available, which the in-memory bridge is.
    assertThat(properties.getProperty(
        MqttProperties.MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE.value())).isNull();
    assertThat(properties.getProperty(
        MqttProperties.MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value())).isNull();
    assertThat(client.port.closed).isFalse();
    assertThat(engine.registry.connectedCount()).isOne();
  }

  @Test
  void whenEmptyClientIdWithoutCleanSession_thenConnAck0x02AndClose() {
    TestClient client = engine.client();
    client.send(connect("", false));

    MqttConnAckMessage connAck = client.nextConnAck();
    assertThat(code(connAck).byteValue()).isEqualTo((byte) 0x02);
    assertThat(connAck.variableHeader().isSessionPresent()).isFalse();
    assertThat(client.port.closed).isTrue();
    assertThat(engine.bridge.sessionCount()).isZero();
  }

  @Test
  void whenClientIdLongerThanMaxClientIdLength_thenConnAck0x02AndClose() {
    engine.close();
    engine = new EngineFixture(EngineFixture.config(30, 64, 100));
    TestClient tooLong = engine.client();
    tooLong.send(connect("x".repeat(31), true));
    assertThat(code(tooLong.nextConnAck()).byteValue()).isEqualTo((byte) 0x02);
    assertThat(tooLong.port.closed).isTrue();

    TestClient atLimit = engine.client();
    atLimit.connect("y".repeat(30), true);
    assertThat(atLimit.port.closed).isFalse();
  }

  @Test
  void whenMqtt31WithEmptyClientId_thenConnAck0x02EvenWithCleanSession() {
    TestClient client = engine.client();
    client.send(connect(MqttVersion.MQTT_3_1, "", true));

    assertThat(code(client.nextConnAck()).byteValue()).isEqualTo((byte) 0x02);
    assertThat(client.port.closed).isTrue();
  }

  @Test
  void whenMqtt31WithClientId_thenAccepted() {
    TestClient client = engine.client();
    client.send(connect(MqttVersion.MQTT_3_1, "old-timer", true));

    assertThat(code(client.nextConnAck())).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    assertThat(client.port.closed).isFalse();
  }

  @Test
  void whenEmptyClientIdWithCleanSession_thenAnIdIsAssigned() {
    TestClient first = engine.client();
    first.connect("", true);
    TestClient second = engine.client();
    second.connect("", true);

    assertThat(first.connection.clientId()).isNotBlank();
    assertThat(second.connection.clientId()).isNotBlank()
        .isNotEqualTo(first.connection.clientId());
    assertThat(engine.registry.connectedCount()).isEqualTo(2);
  }

  @Test
  void whenCleanSession_thenSessionPresentIsFalse_evenIfAPersistentOneWasStored() {
    TestClient persistent = engine.connected("sp", false);
    persistent.send(subscribe(1, "t", 1));
    persistent.drop();

    TestClient clean = engine.client();
    assertThat(clean.connect("sp", true).variableHeader().isSessionPresent()).isFalse();
  }

  @Test
  void whenNewPersistentSession_thenSessionPresentIsFalse_andTrueOnResume() {
    TestClient first = engine.client();
    assertThat(first.connect("sp", false).variableHeader().isSessionPresent()).isFalse();
    first.send(Packets.disconnect());

    TestClient second = engine.client();
    assertThat(second.connect("sp", false).variableHeader().isSessionPresent()).isTrue();
  }

  @Test
  void whenCleanSessionEnds_thenNextPersistentConnectIsNotPresent() {
    TestClient clean = engine.connected("sp", true);
    clean.send(Packets.disconnect());

    TestClient persistent = engine.client();
    assertThat(persistent.connect("sp", false).variableHeader().isSessionPresent()).isFalse();
  }

  @Test
  void whenMqtt31ResumesPersistentSession_thenSessionPresentFlagStaysZero() {
    TestClient first = engine.client();
    first.send(connect(MqttVersion.MQTT_3_1, "legacy", false));
    first.nextConnAck();
    first.drop();

    TestClient second = engine.client();
    second.send(connect(MqttVersion.MQTT_3_1, "legacy", false));
    assertThat(second.nextConnAck().variableHeader().isSessionPresent()).isFalse();
  }

  @Test
  void whenKeepAliveZeroOrAboveMaximum_thenMaximumIsArmed_elseTheClientsValue() {
    TestClient zero = engine.client();
    zero.send(Packets.connectWithKeepAlive("k0", 0));
    assertThat(zero.port.keepAliveSeconds).isEqualTo(engine.config.maxKeepAliveSeconds());

    TestClient thirty = engine.client();
    thirty.send(Packets.connectWithKeepAlive("k30", 30));
    assertThat(thirty.port.keepAliveSeconds).isEqualTo(30);
  }

  @Test
  void whenPingReqBeforeConnect_thenViolation() {
    TestClient client = engine.client();
    ProtocolViolation violation = client.sendViolating(Packets.pingreq());

    assertThat(violation.rule()).isEqualTo("MQTT-3.1.0-1");
    assertThat(client.port.closed).isTrue();
    client.expectNothingMore();
  }

  @Test
  void whenPublishBeforeConnect_thenViolationAndNothingRouted() {
    TestClient watcher = engine.connected("watcher", true);
    watcher.send(subscribe(1, "t", 0));
    watcher.next(MqttMessageType.SUBACK);

    TestClient client = engine.client();
    assertThat(client.sendViolating(publish("t", "early", 0, 0)).rule())
        .isEqualTo("MQTT-3.1.0-1");
    watcher.expectNothingMore();
  }

  @Test
  void whenSecondConnect_thenViolation() {
    TestClient client = engine.connected("twice", true);

    assertThat(client.sendViolating(connect("twice", true)).rule()).isEqualTo("MQTT-3.1.0-2");
    assertThat(client.port.closed).isTrue();
    assertThat(engine.registry.connectedCount()).isZero();
  }

  @Test
  void whenPasswordWithoutUserName_thenViolation() {
    TestClient client = engine.client();
    assertThat(client.sendViolating(Packets.rawConnect("pw", false, true, false, 0, false)).rule())
        .isEqualTo("MQTT-3.1.2-22");
    client.expectNothingMore();
  }

  @Test
  void whenWillQosOrRetainWithoutWillFlag_thenViolation() {
    assertThat(engine.client()
        .sendViolating(Packets.rawConnect("w1", false, false, false, 1, false)).rule())
        .isEqualTo("MQTT-3.1.2-13");
    assertThat(engine.client()
        .sendViolating(Packets.rawConnect("w2", false, false, true, 0, false)).rule())
        .isEqualTo("MQTT-3.1.2-13");
  }

  @Test
  void whenWillTopicHasWildcard_thenViolation() {
    TestClient client = engine.client();
    assertThat(client.sendViolating(Packets.connectWithWill("w", "a/#", "x",
        MqttQoS.AT_MOST_ONCE, false)).rule())
        .isEqualTo("MQTT-3.1.3-10");
  }

  /** A bridge whose sessions open only when the test says so. */
  private static final class SlowBridge implements MessagingBridge {
    private final InMemoryBridge delegate;
    final CompletableFuture<Void> gate = new CompletableFuture<>();

    SlowBridge(InMemoryBridge delegate) {
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return "slow";
    }

    @Override
    public CompletionStage<BridgeSession> openSession(SessionRequest request) {
      return gate.thenCompose(ignored -> delegate.openSession(request));
    }
  }

  @Test
  void whenPacketsArePipelinedBeforeConnAck_thenTheyAreProcessedInOrderAfterIt() {
    TestClient watcher = engine.connected("watcher", true);
    watcher.send(subscribe(1, "pipe/#", 1));
    watcher.next(MqttMessageType.SUBACK);

    SlowBridge slow = new SlowBridge(engine.bridge);
    TestClient client = engine.client(slow);
    client.send(connect("piper", true));
    assertThat(client.port.paused).as("reading paused until CONNACK").isTrue();
    assertThat(client.connection.state()).isEqualTo(MqttConnection.State.CONNECTING);
    client.send(subscribe(7, "pipe/back", 1));
    client.send(publish("pipe/a", "one", 1, 11));
    client.send(publish("pipe/back", "two", 0, 0));
    client.send(Packets.pingreq());
    client.expectNothingMore();
    watcher.expectNothingMore();

    slow.gate.complete(null);
    engine.loop.runAll();

    client.nextConnAck();
    List<MqttMessage> answers = client.rest();
    assertThat(answers).extracting(m -> m.fixedHeader().messageType())
        .containsExactlyInAnyOrder(MqttMessageType.SUBACK, MqttMessageType.PUBACK,
            MqttMessageType.PUBLISH, MqttMessageType.PINGRESP);
    // The SUBSCRIBE was in force before the pipelined PUBLISH to that topic was routed.
    assertThat(answers).filteredOn(MqttPublishMessage.class::isInstance)
        .map(m -> text((MqttPublishMessage) m)).containsExactly("two");
    // Answers to the pipelined PUBLISH and PINGREQ keep their order (deliveries and SUBACK may
    // be interleaved: they are written when the bridge's stages complete).
    assertThat(answers).extracting(m -> m.fixedHeader().messageType())
        .filteredOn(type -> type == MqttMessageType.PUBACK || type == MqttMessageType.PINGRESP)
        .containsExactly(MqttMessageType.PUBACK, MqttMessageType.PINGRESP);
    assertThat(client.port.paused).isFalse();
    assertThat(watcher.rest()).map(m -> text((MqttPublishMessage) m)).containsExactly("one", "two");
  }

  @Test
  void whenDisconnectIsPipelinedBeforeConnAck_thenLaterPacketsAreNotProcessed() {
    TestClient watcher = engine.connected("watcher", true);
    watcher.send(subscribe(1, "pipe/#", 0));
    watcher.next(MqttMessageType.SUBACK);

    SlowBridge slow = new SlowBridge(engine.bridge);
    TestClient client = engine.client(slow);
    client.send(connect("leaver", true));
    client.send(Packets.disconnect());
    client.send(publish("pipe/late", "late", 0, 0));
    slow.gate.complete(null);
    engine.loop.runAll();

    client.nextConnAck();
    client.expectNothingMore();
    assertThat(client.port.closed).isTrue();
    watcher.expectNothingMore();
  }

  /** A bridge that cannot open sessions, failing either way a bridge may fail. */
  private static final class BrokenBridge implements MessagingBridge {
    private final boolean throwAtOnce;

    BrokenBridge(boolean throwAtOnce) {
      this.throwAtOnce = throwAtOnce;
    }

    @Override
    public String name() {
      return "broken";
    }

    @Override
    public CompletionStage<BridgeSession> openSession(SessionRequest request) {
      if (throwAtOnce) {
        throw new IllegalStateException("down");
      }
      return CompletableFuture.failedFuture(new IllegalStateException("down"));
    }
  }

  @ParameterizedTest(name = "bridge throws at once: {0}")
  @ValueSource(booleans = {true, false})
  void whenBridgeCannotOpenTheSession_thenConnAck0x03AndNothingHeld(boolean throwAtOnce) {
    TestClient client = engine.client(new BrokenBridge(throwAtOnce));
    client.send(connect("unlucky", false));

    assertThat(code(client.nextConnAck()).byteValue()).isEqualTo((byte) 0x03);
    assertThat(client.port.closed).isTrue();
    client.expectNothingMore();
    assertThat(engine.registry.connectedCount()).isZero();

    engine.connected("unlucky", false); // the id is free again
  }

  @Test
  void whenBridgeOpensTheSessionLateAndFails_thenConnAck0x03() {
    SlowBridge slow = new SlowBridge(engine.bridge);
    TestClient client = engine.client(slow);
    client.send(connect("late", true));
    slow.gate.completeExceptionally(new IllegalStateException("down"));
    engine.loop.runAll();

    assertThat(code(client.nextConnAck()).byteValue()).isEqualTo((byte) 0x03);
    assertThat(client.port.closed).isTrue();
    assertThat(engine.registry.connectedCount()).isZero();
    assertThat(engine.registry.sessionCount()).isZero();
  }

  @Test
  void whenTooManyPacketsArePipelinedBeforeConnAck_thenViolation() {
    SlowBridge slow = new SlowBridge(engine.bridge);
    TestClient client = engine.client(slow);
    client.send(connect("flood", true));
    for (int i = 0; i < 1024; i++) {
      client.send(Packets.pingreq());
    }

    assertThat(client.sendViolating(Packets.pingreq()).rule()).isEqualTo("MQTT-4.8.0-1");
    slow.gate.complete(null);
    engine.loop.runAll();
    client.expectNothingMore();
    assertThat(engine.registry.connectedCount()).isZero();
  }

  @Test
  void whenConnectArrivesWhileConnecting_thenViolation() {
    SlowBridge slow = new SlowBridge(engine.bridge);
    TestClient client = engine.client(slow);
    client.send(connect("double", true));

    assertThat(client.sendViolating(connect("double", true)).rule()).isEqualTo("MQTT-3.1.0-2");
    slow.gate.complete(null);
    engine.loop.runAll();
    client.expectNothingMore();
    assertThat(engine.registry.connectedCount()).isZero();
    assertThat(engine.bridge.sessionCount()).isZero();
  }

  @Test
  void whenConnectionClosesWhileBridgeOpensSession_thenNoConnAckAndNothingHeld() {
    SlowBridge slow = new SlowBridge(engine.bridge);
    TestClient client = engine.client(slow);
    client.send(connect("gone", false));
    client.drop();

    slow.gate.complete(null);
    engine.loop.runAll();
    client.expectNothingMore();
    assertThat(engine.registry.connectedCount()).isZero();

    TestClient again = engine.client();
    again.connect("gone", false);
  }
}

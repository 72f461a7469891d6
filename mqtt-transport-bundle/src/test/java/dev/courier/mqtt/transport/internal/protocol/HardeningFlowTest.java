package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's hardening rules: access control that fails closed when it is required and its
 * services are absent, topics reserved by the product and the bridge that no client reaches, and
 * the read gate that stops reading from a client that does not read.
 */
class HardeningFlowTest {

  private final AccessControl access = AccessControl.open();
  private final EngineFixture engine = new EngineFixture(TransportConfig.defaults(), access);

  @AfterEach
  void close() {
    engine.close();
  }

  // ---------------------------------------------------------------- fail closed

  @Test
  void whenAuthenticatorRequiredAndAbsent_thenConnectRefusedServerUnavailable_andNothingHeld() {
    access.authenticatorRequired(true);
    TestClient client = engine.client();
    client.send(Packets.connect("c1", false));

    assertThat(client.nextConnAck().variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
    assertThat(client.port.closed).isTrue();
    assertThat(engine.registry.connectedCount()).isZero();
    assertThat(engine.bridge.sessionCount()).isZero();
    assertThat(access.refusedConnects()).isEqualTo(1);
  }

  @Test
  void whenAuthenticatorNotRequiredAndAbsent_thenAnonymousConnectAccepted() {
    engine.connected("open", true);
    assertThat(engine.registry.connectedCount()).isEqualTo(1);
  }

  @Test
  void whenAuthorizerRequiredAndAbsent_thenQos1PublishClosesWithoutPuback_andIsNotRouted() {
    TestClient watcher = watcher("w", "t");
    TestClient publisher = engine.connected("p", true);
    access.authorizerRequired(true);

    publisher.send(publish("t", "lost?", 1, 7));

    assertThat(publisher.port.closed).as("closed so that the client resends").isTrue();
    assertThat(publisher.rest()).noneMatch(packet -> packet.fixedHeader().messageType() == PUBACK);
    watcher.expectNothingMore();
  }

  @Test
  void whenAuthorizerRequiredAndAbsent_thenSubscribeGets0x80() {
    TestClient client = engine.connected("s", true);
    access.authorizerRequired(true);
    client.send(subscribe(3, List.of("a/b", "#"), 1, 0));
    assertThat(granted(client.next(SUBACK))).containsExactly(0x80, 0x80);
  }

  @Test
  void whenRequiredAuthorizerReturns_thenPublishAndSubscribeWorkAgain() {
    access.authorizerRequired(true);
    access.authorizer(allowAll());
    TestClient watcher = watcher("w", "t");
    TestClient publisher = engine.connected("p", true);
    publisher.send(publish("t", "kept", 1, 1));
    publisher.expectAck(PUBACK, 1);
    assertThat(TestClient.text(watcher.nextPublish())).isEqualTo("kept");
  }

  // ---------------------------------------------------------------- reserved topics

  @Test
  void whenSubscribingInsideReservedSpace_thenSubAck0x80_whileOverlappingFiltersAreGranted() {
    MessagingBridge bridge = reserving(engine.bridge, "activemq/#", "$sys/internal/+/x");
    TestClient client = engine.client(bridge);
    client.connect("c", true);
    client.send(subscribe(1, List.of("$courier/#", "$courier/retained", "$courier",
        "activemq/#", "activemq/notifications", "activemq/+", "$sys/internal/a/x",
        "#", "+/notifications", "activemq2/x", "$sys/internal/#"), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0));
    assertThat(granted(client.next(SUBACK)))
        .containsExactly(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0, 0, 0, 0);
  }

  @Test
  void whenPublishingToAReservedTopic_thenDroppedButAcknowledged_andNobodyReceivesIt() {
    MessagingBridge bridge = reserving(engine.bridge, "activemq/#");
    TestClient watcher = engine.client(bridge);
    watcher.connect("w", true);
    watcher.send(subscribe(1, List.of("#", "+/notifications"), 1, 1));
    watcher.next(SUBACK);
    TestClient publisher = engine.client(bridge);
    publisher.connect("p", true);

    publisher.send(publish("activemq/notifications", "forged", 1, 5));
    publisher.send(publish("$courier/retained", "forged", 0, 0));
    publisher.send(publish("open/topic", "fine", 1, 6));

    publisher.expectAck(PUBACK, 5);
    publisher.expectAck(PUBACK, 6);
    assertThat(watcher.rest()).extracting(p -> TestClient.text((MqttPublishMessage) p))
        .containsExactly("fine");
  }

  @Test
  void whenTheBridgeDeliversAReservedTopic_thenItIsAcknowledgedToTheBridgeAndNotSent() {
    // A bridge whose own routing would hand out its internal records (as Artemis's addresses
    // would) still never gets one to a client: the transport drops it at delivery.
    MessagingBridge leaky = reserving(engine.bridge, "activemq/#");
    TestClient watcher = engine.client(leaky);
    watcher.connect("w", true);
    watcher.send(subscribe(1, "#", 1));
    watcher.next(SUBACK);
    TestClient insider = engine.client(engine.bridge); // same bridge, nothing reserved beyond ours
    insider.connect("insider", true);

    insider.send(publish("activemq/notifications", "internal", 1, 1));
    insider.send(publish("after", "public", 1, 2));

    List<MqttMessage> got = watcher.rest();
    assertThat(got).extracting(p -> TestClient.text((MqttPublishMessage) p))
        .containsExactly("public");
    // The dropped QoS 1 delivery was acknowledged to the bridge, not left in flight.
    watcher.send(Packets.ack(PUBACK, TestClient.packetId(got.get(0))));
    assertThat(engine.bridge.sessionCount()).isEqualTo(2);
  }

  @Test
  void whenAWillIsOnAReservedTopic_thenItIsNotPublished() {
    TestClient watcher = watcher("w", "#");
    TestClient client = engine.client();
    client.send(Packets.connectWithWill("willer", "$courier/sessions", "forged",
        MqttQoS.AT_LEAST_ONCE, false));
    client.nextConnAck();
    client.drop();
    watcher.expectNothingMore();
    assertThat(access.deniedPublications()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- read gate

  @Test
  void whenTheChannelIsNotWritable_thenReadingPauses_andResumesOnlyWhenNoReasonHolds() {
    TestClient client = engine.connected("slow", true);
    assertThat(client.port.paused).isFalse();

    client.port.writable = false;
    client.connection.unwritable();
    assertThat(client.port.paused).isTrue();
    client.connection.unwritable();

    client.port.writable = true;
    client.connection.writable();
    assertThat(client.port.paused).isFalse();
  }

  @Test
  void whenWritableReturnsWhileTheBridgeBacklogHolds_thenReadingStaysPaused() {
    CompletableFuture<Void> stuck = new CompletableFuture<>();
    MessagingBridge slow = slowPublishes(engine.bridge, stuck);
    EngineFixture small = new EngineFixture(EngineFixture.config(256, 2, 100), access);
    try {
      TestClient client = small.client(slow);
      client.connect("p", true);
      client.send(publish("t", "1", 1, 1));
      client.send(publish("t", "2", 1, 2));
      assertThat(client.port.paused).as("backlog of 2").isTrue();

      client.connection.unwritable();
      client.connection.writable();
      assertThat(client.port.paused).as("the backlog still holds").isTrue();

      stuck.complete(null);
      small.loop.runAll();
      assertThat(client.port.paused).isFalse();
      client.expectAck(PUBACK, 1);
      client.expectAck(PUBACK, 2);
    } finally {
      small.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  private TestClient watcher(String clientId, String filter) {
    TestClient watcher = engine.connected(clientId, true);
    watcher.send(subscribe(1, filter, 1));
    assertThat(granted(watcher.next(SUBACK))).containsExactly(1);
    return watcher;
  }

  private static List<Integer> granted(MqttMessage subAck) {
    return ((MqttSubAckMessage) subAck).payload().grantedQoSLevels();
  }

  private static Authorizer allowAll() {
    return new Authorizer() {
      @Override
      public CompletionStage<Boolean> mayPublish(ClientIdentity client, String topic) {
        return CompletableFuture.completedFuture(true);
      }

      @Override
      public CompletionStage<Boolean> maySubscribe(ClientIdentity client, String filter) {
        return CompletableFuture.completedFuture(true);
      }
    };
  }

  /** {@code inner}, declaring {@code filters} reserved. */
  private static MessagingBridge reserving(MessagingBridge inner, String... filters) {
    return new MessagingBridge() {
      @Override
      public String name() {
        return "reserving";
      }

      @Override
      public CompletionStage<BridgeSession> openSession(SessionRequest request) {
        return inner.openSession(request);
      }

      @Override
      public List<String> reservedTopics() {
        return List.of(filters);
      }
    };
  }

  /** {@code inner}, whose publications complete only with {@code gate}. */
  private static MessagingBridge slowPublishes(MessagingBridge inner,
      CompletableFuture<Void> gate) {
    return new MessagingBridge() {
      @Override
      public String name() {
        return "slow";
      }

      @Override
      public CompletionStage<BridgeSession> openSession(SessionRequest request) {
        return inner.openSession(request).thenApply(session -> new ForwardingSession(session) {
          @Override
          public CompletionStage<Void> publish(Publication publication) {
            return gate.thenCompose(ignored -> session.publish(publication));
          }
        });
      }
    };
  }
}

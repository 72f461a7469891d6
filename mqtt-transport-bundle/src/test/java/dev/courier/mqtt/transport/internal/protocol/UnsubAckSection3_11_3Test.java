package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.Packets.unsubscribe;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.UNSUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.11.3 (UNSUBACK payload): a reason code per topic filter, 0x11 No
 * subscription existed where the session did not hold the filter (as the bridge says, or, if it
 * cannot tell, as far as the connection knows), 0x00 otherwise, 0x80 when the bridge failed; MQTT
 * 3.1.1 UNSUBACK (section 3.11) carries no codes.
 */
class UnsubAckSection3_11_3Test {

  private final EngineFixture engine = new EngineFixture();

  @AfterEach
  void close() {
    engine.close();
  }

  private TestClient connect5(String clientId, boolean cleanStart, MessagingBridge bridge) {
    MqttProperties properties = new MqttProperties();
    properties.add(new MqttProperties.IntegerProperty(
        MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 600));
    TestClient client = engine.client(bridge);
    client.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5)
        .clientId(clientId).cleanSession(cleanStart).keepAlive(60).properties(properties).build());
    MqttConnAckVariableHeader connAck = client.nextConnAck().variableHeader();
    assertThat(connAck.connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    assertThat(connAck.isSessionPresent()).isEqualTo(!cleanStart); // resumed when asked to be
    return client;
  }

  private TestClient connect5(String clientId, boolean cleanStart) {
    return connect5(clientId, cleanStart, engine.bridge);
  }

  private static void subscribed(TestClient client, int packetId, String filter) {
    client.send(subscribe(packetId, filter, 1));
    client.next(SUBACK);
  }

  /** UNSUBSCRIBE and the codes of its UNSUBACK. */
  private static List<Short> unsubscribed(TestClient client, int packetId, String... filters) {
    client.send(unsubscribe(packetId, filters));
    MqttUnsubAckMessage unsubAck = (MqttUnsubAckMessage) client.next(UNSUBACK);
    assertThat(unsubAck.variableHeader().messageId()).isEqualTo(packetId);
    return unsubAck.payload().unsubscribeReasonCodes();
  }

  @Test
  void whenNewSessionUnsubscribesAFilterItNeverHad_then0x11_andSuccessForOneItHad() {
    TestClient client = connect5("c", true);
    subscribed(client, 1, "a/b");

    assertThat(unsubscribed(client, 2, "a/b", "never/had", "a/+"))
        .containsExactly((short) 0x00, (short) 0x11, (short) 0x11);
    // Once removed, the filter is no longer there.
    assertThat(unsubscribed(client, 3, "a/b")).containsExactly((short) 0x11);
    subscribed(client, 4, "a/b");
    assertThat(unsubscribed(client, 5, "a/b")).containsExactly((short) 0x00);
  }

  @Test
  void whenAFilterWasRefusedAtSubscribe_thenUnsubscribingItIs0x11() {
    TestClient client = connect5("c", true);
    subscribed(client, 1, "bad/#/filter");

    assertThat(unsubscribed(client, 2, "bad/#/filter")).containsExactly((short) 0x11);
  }

  /** A session of {@code clientId} that held {@code filters}, resumed by a new connection. */
  private TestClient resumedHolding(String clientId, MessagingBridge bridge, String... filters) {
    TestClient first = connect5(clientId, true, bridge);
    for (int i = 0; i < filters.length; i++) {
      subscribed(first, i + 1, filters[i]);
    }
    first.drop();
    TestClient again = connect5(clientId, false, bridge);
    return again;
  }

  @Test
  void whenResumedSessionUnsubscribesAFilterItHeldFromTheEarlierConnection_then0x00Success() {
    TestClient again = resumedHolding("p", engine.bridge, "kept/1", "$share/g/kept/2");

    assertThat(unsubscribed(again, 10, "kept/1", "$share/g/kept/2"))
        .containsExactly((short) 0x00, (short) 0x00);
    // Success: the subscriptions are deleted, so they are not there any more.
    assertThat(unsubscribed(again, 11, "kept/1", "$share/g/kept/2"))
        .containsExactly((short) 0x11, (short) 0x11);
  }

  @Test
  void whenResumedSessionUnsubscribesAFilterItNeverHeld_then0x11NoSubscriptionExisted() {
    TestClient again = resumedHolding("p", engine.bridge, "kept/1", "$share/g/kept/2");

    // In the order of the filters [MQTT-3.11.3-1]; a filter and its shared form are distinct.
    assertThat(unsubscribed(again, 10, "never/held", "kept/1", "$share/g/kept/1", "kept/2",
        "$share/other/kept/2")).containsExactly((short) 0x11, (short) 0x00, (short) 0x11,
            (short) 0x11, (short) 0x11);
  }

  @Test
  void whenTheBridgeCannotTellAndSessionIsResumed_thenUnknownFiltersAreSuccess() {
    // The SPI 0.5 contract: unsubscribeExisting not overridden, the bridge does not say.
    MessagingBridge guessing = wrapping(ForwardingSession::new);
    TestClient again = resumedHolding("p", guessing, "kept/1");

    assertThat(unsubscribed(again, 2, "kept/1", "maybe/earlier"))
        .containsExactly((short) 0x00, (short) 0x00);
    // Filters this connection did not subscribe are not tracked (no growth for unknown ones).
    assertThat(unsubscribed(again, 3, "kept/1")).containsExactly((short) 0x00);
    subscribed(again, 4, "new/1");
    assertThat(unsubscribed(again, 5, "new/1", "new/1"))
        .containsExactly((short) 0x00, (short) 0x11);
  }

  /** The in-memory bridge with each session wrapped by {@code wrapper}. */
  private MessagingBridge wrapping(UnaryOperator<BridgeSession> wrapper) {
    return new MessagingBridge() {
      @Override
      public String name() {
        return "wrapped";
      }

      @Override
      public boolean sharedSubscriptions() {
        return engine.bridge.sharedSubscriptions();
      }

      @Override
      public CompletionStage<BridgeSession> openSession(SessionRequest request) {
        return engine.bridge.openSession(request).thenApply(wrapper);
      }
    };
  }

  @Test
  void whenTheBridgeFailsTheUnsubscribe_then0x80_andTheFilterMayStillBeHeld() {
    MessagingBridge failing = wrapping(session -> new ForwardingSession(session) {
      private boolean failed;

      @Override
      public CompletionStage<List<Boolean>> unsubscribeExisting(List<String> filters) {
        if (!failed) {
          failed = true;
          return CompletableFuture.failedFuture(new IllegalStateException("down"));
        }
        return inner.unsubscribeExisting(filters);
      }
    });
    TestClient client = connect5("c", true, failing);
    subscribed(client, 1, "a/b");

    assertThat(unsubscribed(client, 2, "a/b", "x/y"))
        .containsExactly((short) 0x80, (short) 0x80);
    assertThat(unsubscribed(client, 3, "a/b")).containsExactly((short) 0x00);
  }

  @Test
  void whenMqtt311_thenUnsubAckCarriesNoCodes() {
    TestClient client = engine.connected("three", true);
    client.send(unsubscribe(7, "never/had"));

    MqttUnsubAckMessage unsubAck = (MqttUnsubAckMessage) client.next(UNSUBACK);
    assertThat(unsubAck.variableHeader().messageId()).isEqualTo(7);
    assertThat(unsubAck.payload().unsubscribeReasonCodes()).isEmpty();
  }
}

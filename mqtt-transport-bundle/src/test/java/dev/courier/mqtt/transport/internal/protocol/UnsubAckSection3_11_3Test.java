package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.Packets.unsubscribe;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.UNSUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.11.3 (UNSUBACK payload): a reason code per topic filter, 0x11 No
 * subscription existed where the transport knows the session did not hold the filter, 0x00
 * otherwise, 0x80 when the bridge failed; MQTT 3.1.1 UNSUBACK (section 3.11) carries no codes.
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
    assertThat(client.nextConnAck().variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
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

  @Test
  void whenSessionIsResumed_thenUnknownFiltersAreSuccess_andOnesSubscribedAndRemovedHereAre0x11() {
    TestClient first = connect5("p", true);
    subscribed(first, 1, "kept/1");
    first.drop();

    TestClient again = connect5("p", false);
    // The bridge keeps the session's filters and does not say which existed: 0x00 unless known.
    assertThat(unsubscribed(again, 2, "kept/1", "maybe/earlier"))
        .containsExactly((short) 0x00, (short) 0x00);
    // Filters this connection did not subscribe are not tracked (no growth for unknown ones).
    assertThat(unsubscribed(again, 3, "kept/1")).containsExactly((short) 0x00);
    subscribed(again, 4, "new/1");
    assertThat(unsubscribed(again, 5, "new/1", "new/1"))
        .containsExactly((short) 0x00, (short) 0x11);
  }

  @Test
  void whenTheBridgeFailsTheUnsubscribe_then0x80_andTheFilterMayStillBeHeld() {
    MessagingBridge failing = new MessagingBridge() {
      @Override
      public String name() {
        return "failing";
      }

      @Override
      public CompletionStage<BridgeSession> openSession(SessionRequest request) {
        return engine.bridge.openSession(request).thenApply(session ->
            new ForwardingSession(session) {
              private boolean failed;

              @Override
              public CompletionStage<Void> unsubscribe(List<String> filters) {
                if (!failed) {
                  failed = true;
                  return CompletableFuture.failedFuture(new IllegalStateException("down"));
                }
                return inner.unsubscribe(filters);
              }
            });
      }
    };
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

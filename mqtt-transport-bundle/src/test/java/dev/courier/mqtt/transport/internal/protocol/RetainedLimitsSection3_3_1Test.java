package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT section 3.3.1.3 (RETAIN) under the transport's {@code maxRetainedMessages}: the engine
 * hands the bound to its bridge, and a retained PUBLISH beyond it is refused as a whole, with
 * PUBACK 0x97 Quota exceeded on 5.0 and the connection closed without an ack on 3.1.1 (so that
 * the client resends later); subscribers get nothing of it.
 */
class RetainedLimitsSection3_3_1Test {

  private final EngineFixture engine = new EngineFixture(TransportConfig.defaults()
      .withBridgeLimits(TransportConfig.DEFAULT_MAX_QUEUED_BYTES, 1,
          TransportConfig.DEFAULT_MAX_RETAINED_BYTES));

  @AfterEach
  void close() {
    engine.close();
  }

  private TestClient connect(MqttVersion version, String clientId) {
    TestClient client = engine.client();
    client.send(MqttMessageBuilders.connect().protocolVersion(version).clientId(clientId)
        .cleanSession(true).keepAlive(60).build());
    assertThat(client.nextConnAck().variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    return client;
  }

  private static int reasonCode(MqttMessage ack) {
    return ack.variableHeader() instanceof MqttPubReplyMessageVariableHeader reply
        ? reply.reasonCode() & 0xFF : 0;
  }

  private TestClient watcher() {
    TestClient watcher = engine.connected("watcher", true);
    watcher.send(subscribe(1, "#", 1));
    watcher.next(SUBACK);
    return watcher;
  }

  @Test
  void whenMaxRetainedMessagesIsReached_thenA5RetainedPublishGets0x97_andIsNotDelivered() {
    TestClient watcher = watcher();
    TestClient client = connect(MqttVersion.MQTT_5, "pub5");

    client.send(publish("r/one", "first", 1, 1, true, false));
    assertThat(reasonCode(client.next(PUBACK))).isZero();
    assertThat(TestClient.text(watcher.nextPublish())).isEqualTo("first");

    client.send(publish("r/two", "second", 1, 2, true, false));
    assertThat(reasonCode(client.next(PUBACK))).isEqualTo(0x97);
    client.send(publish("r/two", "not retained", 1, 3));
    assertThat(reasonCode(client.next(PUBACK))).isZero();

    assertThat(TestClient.text(watcher.nextPublish())).isEqualTo("not retained");
    watcher.expectNothingMore();
    assertThat(client.port.closed).isFalse();
    assertThat(engine.bridge.retainedCount()).isEqualTo(1);
    assertThat(engine.bridge.refusedRetained()).isEqualTo(1);
  }

  @Test
  void whenMaxRetainedMessagesIsReached_thenA311ClientIsClosedWithoutAnAck() {
    TestClient client = connect(MqttVersion.MQTT_3_1_1, "pub311");
    client.send(publish("r/one", "first", 1, 1, true, false));
    client.next(PUBACK);

    client.send(publish("r/two", "second", 1, 2, true, false));
    engine.loop.runAll();

    assertThat(client.port.closed).isTrue();
    assertThat(client.rest()).noneMatch(m -> m.fixedHeader().messageType() == PUBACK);
    assertThat(engine.bridge.refusedRetained()).isEqualTo(1);
  }
}

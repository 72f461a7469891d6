package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.unsubscribe;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.UNSUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption.RetainedHandlingPolicy;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 4.8.2 on the transport's side: {@code $share/{ShareName}/{filter}} is split into
 * the bridge's shared request (also for 3.1.1 clients), a malformed one ends a 5.0 connection with
 * 0x8F [MQTT-4.8.2-2] and is refused 0x80 to a 3.1.1 client, No Local
 * on one is a protocol error [MQTT-3.8.3-4], reserved topics and the authorizer judge the filter
 * inside, UNSUBSCRIBE hands the bridge the client's form; a bridge without shared subscriptions
 * gets none of them (0x9E) and CONNACK says so (3.2.2.3.14).
 */
class SharedSubscriptionSection4_8Test {

  private final EngineFixture engine = new EngineFixture();
  private final SubscriptionRecordingBridge sharing =
      new SubscriptionRecordingBridge(engine.bridge, true);
  private final SubscriptionRecordingBridge notSharing =
      new SubscriptionRecordingBridge(engine.bridge, false);

  @AfterEach
  void close() {
    engine.close();
  }

  private TestClient connect(SubscriptionRecordingBridge bridge, MqttVersion version) {
    TestClient client = engine.client(bridge);
    client.send(MqttMessageBuilders.connect().protocolVersion(version).clientId("c")
        .cleanSession(true).keepAlive(60).build());
    MqttConnAckMessage connAck = client.nextConnAck();
    assertThat(connAck.variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    lastConnAck = connAck;
    return client;
  }

  private MqttConnAckMessage lastConnAck;

  private static MqttSubscribeMessage subscribe(int packetId, boolean noLocal, String... filters) {
    MqttMessageBuilders.SubscribeBuilder builder = MqttMessageBuilders.subscribe()
        .messageId(packetId);
    for (String filter : filters) {
      builder.addSubscription(filter, new MqttSubscriptionOption(MqttQoS.AT_LEAST_ONCE, noLocal,
          false, RetainedHandlingPolicy.SEND_AT_SUBSCRIBE));
    }
    return builder.build();
  }

  private static List<Integer> subAckCodes(TestClient client) {
    return ((MqttSubAckMessage) client.next(SUBACK)).payload().reasonCodes();
  }

  @Test
  void whenBridgeShares_thenConnAckOmitsSharedSubscriptionAvailable_elseSaysZero() {
    connect(sharing, MqttVersion.MQTT_5);
    assertThat(lastConnAck.variableHeader().properties()
        .getProperty(MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE.value())).isNull();

    connect(notSharing, MqttVersion.MQTT_5);
    MqttProperties.MqttProperty<?> available = lastConnAck.variableHeader().properties()
        .getProperty(MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE.value());
    assertThat(available).isNotNull();
    assertThat(available.value()).isEqualTo(0);
  }

  @Test
  void whenSharedFilter_thenBridgeGetsShareNameAndTheFilterInside() {
    TestClient client = connect(sharing, MqttVersion.MQTT_5);
    client.send(subscribe(1, false, "$share/workers/jobs/+", "jobs/+"));

    assertThat(subAckCodes(client)).containsExactly(1, 1);
    assertThat(sharing.subscribed).extracting(SubscriptionRequest::filter)
        .containsExactly("jobs/+", "jobs/+");
    assertThat(sharing.subscribed).extracting(SubscriptionRequest::shareName)
        .containsExactly("workers", null);
    assertThat(sharing.subscribed.get(0).key()).isEqualTo("$share/workers/jobs/+");
  }

  @Test
  void whenMqtt311ClientUsesShare_thenSharedToo() {
    TestClient client = connect(sharing, MqttVersion.MQTT_3_1_1);
    client.send(Packets.subscribe(1, "$share/g/a/#", 1));

    assertThat(subAckCodes(client)).containsExactly(1);
    assertThat(sharing.subscribed).singleElement()
        .satisfies(request -> assertThat(request.shareName()).isEqualTo("g"))
        .satisfies(request -> assertThat(request.filter()).isEqualTo("a/#"));
  }

  @Test
  void whenSharedFilterMalformedOn5_thenDisconnect0x8f_andBridgeNotAsked() {
    for (String malformed : List.of("$share/g", "$share//a", "$share/g/", "$share",
        "$share/+/a", "$share/g#/a")) {
      TestClient client = connect(sharing, MqttVersion.MQTT_5);
      ProtocolViolation violation = client.sendViolating(subscribe(1, false, "ok", malformed));
      assertThat(violation.reason()).as(malformed).isEqualTo(ReasonCode.TOPIC_FILTER_INVALID);
    }
    assertThat(sharing.subscribed).isEmpty();
  }

  @Test
  void whenSharedFilterMalformedOn311_thenOnlyThatFilterIsRefused() {
    TestClient client = connect(sharing, MqttVersion.MQTT_3_1_1);
    client.send(Packets.subscribe(1, List.of("$share/g", "$share/+/a", "ok"), 1, 1, 1));

    assertThat(subAckCodes(client)).containsExactly(0x80, 0x80, 1);
    assertThat(sharing.subscribed).extracting(SubscriptionRequest::key).containsExactly("ok");
  }

  @Test
  void whenBridgeDoesNotShare_then0x9eOn5_and0x80On311_andBridgeNotAsked() {
    TestClient five = connect(notSharing, MqttVersion.MQTT_5);
    five.send(subscribe(1, false, "$share/g/a"));
    assertThat(subAckCodes(five)).containsExactly(0x9E);

    TestClient three = connect(notSharing, MqttVersion.MQTT_3_1_1);
    three.send(Packets.subscribe(2, "$share/g/a", 1));
    assertThat(subAckCodes(three)).containsExactly(0x80);
    assertThat(notSharing.subscribed).isEmpty();
  }

  @Test
  void whenNoLocalOnSharedSubscription_thenProtocolError() {
    TestClient client = connect(sharing, MqttVersion.MQTT_5);
    ProtocolViolation violation = client.sendViolating(subscribe(1, true, "$share/g/a"));

    assertThat(violation.reason()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
    assertThat(sharing.subscribed).isEmpty();
  }

  @Test
  void whenNoLocalOnOrdinaryFilter_thenAccepted() {
    TestClient client = connect(sharing, MqttVersion.MQTT_5);
    client.send(subscribe(1, true, "a"));
    assertThat(subAckCodes(client)).containsExactly(1);
  }

  @Test
  void whenSharedFilterInsideReservedTopics_thenNotAuthorized() {
    TestClient client = connect(sharing, MqttVersion.MQTT_5);
    client.send(subscribe(1, false, "$share/g/$courier/#", "$share/g/$courier/x"));

    int refused = ReasonCode.NOT_AUTHORIZED.value();
    assertThat(subAckCodes(client)).containsExactly(refused, refused);
    assertThat(sharing.subscribed).isEmpty();
  }

  @Test
  void whenUnsubscribingSharedFilter_thenBridgeGetsClientForm_andUnsubAckKnowsIt() {
    TestClient client = connect(sharing, MqttVersion.MQTT_5);
    client.send(subscribe(1, false, "$share/g/a"));
    subAckCodes(client);

    client.send(unsubscribe(2, "$share/g/a", "$share/h/a", "a"));
    MqttUnsubAckMessage unsubAck = (MqttUnsubAckMessage) client.next(UNSUBACK);

    assertThat(sharing.unsubscribed).containsExactly("$share/g/a", "$share/h/a", "a");
    int none = ReasonCode.NO_SUBSCRIPTION_EXISTED.value();
    assertThat(unsubAck.payload().unsubscribeReasonCodes()).containsExactly((short) 0,
        (short) none, (short) none);
  }
}

package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.ack;
import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.packetId;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.text;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBCOMP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREC;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREL;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT 3.1.1 section 4.3, QoS levels and protocol flows, both ways: the server as receiver of a
 * client's PUBLISH, and as sender of deliveries with packet identifiers it allocates
 * [MQTT-2.3.1-2].
 */
class QosFlowSection4_3Test {

  private EngineFixture engine = new EngineFixture();

  @AfterEach
  void close() {
    engine.close();
  }

  private TestClient subscriber(String id, String filter, int qos) {
    TestClient client = engine.connected(id, true);
    client.send(subscribe(1, filter, qos));
    client.next(SUBACK);
    return client;
  }

  @Test
  void whenQos0Published_thenNoAckAndSubscriberGetsIt() {
    TestClient sub = subscriber("sub", "q/0", 2);
    TestClient pub = engine.connected("pub", true);

    pub.send(publish("q/0", "zero", 0, 0));

    pub.expectNothingMore();
    MqttPublishMessage delivered = sub.nextPublish();
    assertThat(text(delivered)).isEqualTo("zero");
    assertThat(delivered.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_MOST_ONCE);
    assertThat(delivered.variableHeader().packetId()).isZero();
  }

  @Test
  void whenQos1Published_thenPubAckWithSamePacketId() {
    TestClient sub = subscriber("sub", "q/1", 1);
    TestClient pub = engine.connected("pub", true);

    pub.send(publish("q/1", "one", 1, 4711));

    pub.expectAck(PUBACK, 4711);
    pub.expectNothingMore();
    assertThat(text(sub.nextPublish())).isEqualTo("one");
  }

  @Test
  void whenQos2Published_thenPubRec_duplicateNotForwarded_andPubRelAnsweredWithPubComp() {
    TestClient sub = subscriber("sub", "q/2", 2);
    TestClient pub = engine.connected("pub", true);

    pub.send(publish("q/2", "two", 2, 9));
    pub.expectAck(PUBREC, 9);
    assertThat(text(sub.nextPublish())).isEqualTo("two");

    // [MQTT-4.3.3-2] the client did not see PUBREC and sends the PUBLISH again with DUP
    pub.send(publish("q/2", "two", 2, 9, false, true));
    pub.expectAck(PUBREC, 9);
    sub.expectNothingMore();

    pub.send(ack(PUBREL, 9));
    pub.expectAck(PUBCOMP, 9);
    pub.expectNothingMore();

    // After PUBREL the packet id is free: the same id now carries a new message.
    pub.send(publish("q/2", "again", 2, 9));
    pub.expectAck(PUBREC, 9);
    assertThat(text(sub.nextPublish())).isEqualTo("again");
  }

  @Test
  void whenPubRelForUnknownPacketId_thenPubCompAnyway() {
    TestClient pub = engine.connected("pub", true);
    pub.send(ack(PUBREL, 321));
    pub.expectAck(PUBCOMP, 321);
  }

  @ParameterizedTest(name = "QoS {0}")
  @ValueSource(ints = {1, 2})
  void whenQos1Or2PublishHasPacketIdZero_thenViolation(int qos) {
    TestClient pub = engine.connected("pub", true);
    assertThat(pub.sendViolating(publish("t", "x", qos, 0)).rule()).isEqualTo("MQTT-2.3.1-1");
  }

  @Test
  void whenPublishTopicHasWildcard_thenViolation() {
    TestClient pub = engine.connected("pub", true);
    assertThat(pub.sendViolating(publish("a/+", "x", 0, 0)).rule()).isEqualTo("MQTT-3.3.2-2");
  }

  /** The in-memory bridge, except that publishing fails while {@link #refuse} is set. */
  private static final class RefusingBridge implements MessagingBridge {
    private final MessagingBridge delegate;
    final AtomicBoolean refuse = new AtomicBoolean(true);

    RefusingBridge(MessagingBridge delegate) {
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return "refusing";
    }

    @Override
    public CompletionStage<BridgeSession> openSession(SessionRequest request) {
      return delegate.openSession(request)
          .thenApply(session -> new RefusingSession(session, refuse));
    }
  }

  private static final class RefusingSession extends ForwardingSession {
    private final AtomicBoolean refuse;

    RefusingSession(BridgeSession delegate, AtomicBoolean refuse) {
      super(delegate);
      this.refuse = refuse;
    }

    @Override
    public CompletionStage<Void> publish(Publication publication) {
      return refuse.get()
          ? CompletableFuture.failedFuture(new IllegalStateException("storage full"))
          : inner.publish(publication);
    }

    @Override
    public CompletionStage<Void> publishExactlyOnce(Publication publication, int packetId) {
      return publish(publication);
    }
  }

  @ParameterizedTest(name = "QoS {0}")
  @ValueSource(ints = {1, 2})
  void whenBridgeRefusesAPublication_thenNoAckAndTheConnectionIsClosedSoTheClientResends(int qos) {
    TestClient pub = engine.client(new RefusingBridge(engine.bridge));
    pub.connect("pub", false);

    pub.send(publish("t", "x", qos, 3));

    pub.expectNothingMore();
    assertThat(pub.port.closed).isTrue();
  }

  @Test
  void whenBridgeRefusedAQos2Publication_thenItsResendIsForwardedNotJustAcknowledged() {
    TestClient sub = subscriber("sub", "again", 2);
    RefusingBridge refusing = new RefusingBridge(engine.bridge);
    TestClient pub = engine.client(refusing);
    pub.connect("pub", false);
    pub.send(publish("again", "precious", 2, 7));
    pub.expectNothingMore();
    assertThat(pub.port.closed).isTrue();

    refusing.refuse.set(false);
    TestClient resumed = engine.client(refusing);
    resumed.connect("pub", false);
    // [MQTT-4.3.3-1] the client never got PUBREC, so it still owns the message and resends it.
    resumed.send(publish("again", "precious", 2, 7, false, true));

    resumed.expectAck(PUBREC, 7);
    assertThat(text(sub.nextPublish())).isEqualTo("precious");
  }

  @Test
  void whenQos2DuplicateArrivesWhileTheOriginalIsStillWithTheBridge_thenNoEarlyPubRec() {
    engine.close();
    engine = new EngineFixture(EngineFixture.config(256, 64, 8));
    TestClient sub = subscriber("slow", "dup", 0);
    sub.port.writable = false;
    TestClient pub = engine.connected("pub", true);
    for (int i = 1; i <= 4; i++) {
      pub.send(publish("dup", "m" + i, 1, i));
      pub.expectAck(PUBACK, i);
    }
    pub.send(publish("dup", "m5", 2, 5)); // the queue is congested: the bridge holds the stage
    pub.expectNothingMore();

    pub.send(publish("dup", "m5", 2, 5, false, true));
    pub.expectNothingMore(); // PUBREC only once the bridge has the message

    sub.port.writable = true;
    sub.connection.writable();
    engine.loop.runAll();
    assertThat(pub.rest()).isNotEmpty().allSatisfy(ack -> {
      assertThat(ack.fixedHeader().messageType()).isEqualTo(PUBREC);
      assertThat(packetId(ack)).isEqualTo(5);
    });
    assertThat(sub.rest()).hasSize(5);
  }

  @Test
  void whenDeliveredAtQos1_thenNonZeroPacketIdAndPubAckCompletesIt() {
    TestClient sub = subscriber("sub", "out/1", 1);
    TestClient pub = engine.connected("pub", true);

    pub.send(publish("out/1", "a", 1, 1));
    pub.send(publish("out/1", "b", 1, 2));

    MqttPublishMessage first = sub.nextPublish();
    MqttPublishMessage second = sub.nextPublish();
    assertThat(first.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
    assertThat(first.fixedHeader().isDup()).isFalse();
    assertThat(first.fixedHeader().isRetain()).isFalse();
    assertThat(packetId(first)).isNotZero();
    assertThat(packetId(second)).isNotZero().isNotEqualTo(packetId(first));
    sub.send(ack(PUBACK, packetId(first)));
    sub.send(ack(PUBACK, packetId(second)));
    sub.expectNothingMore();

    // Nothing is left in flight to resend.
    sub.drop();
    TestClient again = engine.connected("sub", true);
    again.expectNothingMore();
  }

  @Test
  void whenDeliveredAtQos2_thenPubRecAnsweredWithPubRel_andPubCompCompletes() {
    TestClient sub = subscriber("sub", "out/2", 2);
    TestClient pub = engine.connected("pub", true);

    pub.send(publish("out/2", "exactly", 2, 1));
    MqttPublishMessage delivered = sub.nextPublish();
    assertThat(delivered.fixedHeader().qosLevel()).isEqualTo(MqttQoS.EXACTLY_ONCE);
    int id = packetId(delivered);
    assertThat(id).isNotZero();

    sub.send(ack(PUBREC, id));
    MqttMessage pubRel = sub.next(PUBREL);
    assertThat(packetId(pubRel)).isEqualTo(id);
    // [MQTT-3.6.1-1] PUBREL carries QoS 1 in its fixed header.
    assertThat(pubRel.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);

    sub.send(ack(PUBCOMP, id));
    sub.expectNothingMore();
  }

  @Test
  void whenSubscriptionQosIsLower_thenDeliveredAtTheLowerQos() {
    TestClient sub = subscriber("sub", "down", 1);
    TestClient pub = engine.connected("pub", true);

    pub.send(publish("down", "x", 2, 1));

    MqttPublishMessage delivered = sub.nextPublish();
    assertThat(delivered.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
  }

  @Test
  void whenManyDeliveriesAcknowledgedInTurn_thenPacketIdsAreNeverZeroAndNeverReusedWhileInFlight() {
    TestClient sub = subscriber("sub", "ids", 1);
    TestClient pub = engine.connected("pub", true);
    Set<Integer> inFlight = new HashSet<>();

    for (int i = 0; i < 70_000; i++) {
      pub.send(publish("ids", "q", 1, 1 + (i % 65535)));
      MqttPublishMessage delivered = sub.nextPublish();
      int id = packetId(delivered);
      assertThat(id).isBetween(1, 65535);
      assertThat(inFlight.add(id)).as("id %d in use", id).isTrue();
      if (i % 2 == 1) { // keep one message in flight across the wrap-around
        for (Integer done : Set.copyOf(inFlight)) {
          if (done != id) {
            sub.send(ack(PUBACK, done));
            inFlight.remove(done);
          }
        }
      }
      pub.rest();
    }
  }
}

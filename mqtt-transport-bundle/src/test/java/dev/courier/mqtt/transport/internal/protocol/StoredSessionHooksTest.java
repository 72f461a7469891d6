package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.ack;
import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.text;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBCOMP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREC;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bridge SPI 0.2 hooks that let a bridge which outlives the transport (Artemis) keep QoS 2
 * exactly-once and redelivery across a restart [MQTT-4.3.3-2] [MQTT-4.4.0-1].
 */
class StoredSessionHooksTest {

  private final EngineFixture engine = new EngineFixture();
  private final StoringBridge storing = new StoringBridge(engine.bridge);

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void whenQos2Published_thenBridgeStoresThePacketId_andPubRelReleasesIt() {
    TestClient pub = engine.client(storing);
    pub.connect("pub", false);

    pub.send(publish("t", "x", 2, 5));
    pub.expectAck(PUBREC, 5);
    assertThat(storing.exactlyOnce).containsExactly(5);

    pub.send(ack(io.netty.handler.codec.mqtt.MqttMessageType.PUBREL, 5));
    pub.expectAck(PUBCOMP, 5);
    assertThat(storing.released).containsExactly(5);
  }

  @Test
  void whenQos1Published_thenPlainPublish() {
    TestClient pub = engine.client(storing);
    pub.connect("pub", false);
    pub.send(publish("t", "x", 1, 5));
    assertThat(storing.exactlyOnce).isEmpty();
  }

  @Test
  void whenResumedSessionStillAwaitsRelease_thenTheResendIsNotForwardedAgain() {
    TestClient sub = engine.connected("sub", true);
    sub.send(subscribe(1, "q", 2));
    sub.next(SUBACK);
    storing.storedAwaiting = Set.of(9);
    TestClient pub = engine.client(storing);
    pub.connect("pub", false);

    // The client never saw PUBREC before the restart and resends with DUP.
    pub.send(publish("q", "once", 2, 9, false, true));
    pub.expectAck(PUBREC, 9);
    sub.expectNothingMore();

    pub.send(ack(io.netty.handler.codec.mqtt.MqttMessageType.PUBREL, 9));
    pub.expectAck(PUBCOMP, 9);
    assertThat(storing.released).containsExactly(9);
    pub.send(publish("q", "next", 2, 9));
    pub.expectAck(PUBREC, 9);
    assertThat(text(sub.nextPublish())).isEqualTo("next");
  }

  @Test
  void whenARestoredPacketIdComesWithoutDup_thenItIsANewMessage() {
    // The bridge stores PUBREL asynchronously: after a crash it may report an id that the client
    // had already completed and now uses for a new message (DUP not set) [MQTT-3.3.1-1].
    TestClient sub = engine.connected("sub", true);
    sub.send(subscribe(1, "q", 2));
    sub.next(SUBACK);
    storing.storedAwaiting = Set.of(9);
    TestClient pub = engine.client(storing);
    pub.connect("pub", false);

    pub.send(publish("q", "new", 2, 9));
    pub.expectAck(PUBREC, 9);
    assertThat(text(sub.nextPublish())).isEqualTo("new");
    // and its own resend is a duplicate again
    pub.send(publish("q", "new", 2, 9, false, true));
    pub.expectAck(PUBREC, 9);
    sub.expectNothingMore();
  }

  @Test
  void whenSessionOpensWithNothingInFlight_thenTheBridgeIsAskedToRecover() {
    TestClient client = engine.client(storing);
    client.connect("c", false);
    assertThat(storing.recovered).isEqualTo(1);
  }

  /** The in-memory bridge, plus recorded calls of the 0.2 hooks and a preset stored state. */
  private static final class StoringBridge implements MessagingBridge {
    private final MessagingBridge delegate;
    final List<Integer> exactlyOnce = new ArrayList<>();
    final List<Integer> released = new ArrayList<>();
    Set<Integer> storedAwaiting = Set.of();
    int recovered;

    StoringBridge(MessagingBridge delegate) {
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return "storing";
    }

    @Override
    public CompletionStage<BridgeSession> openSession(SessionRequest request) {
      return delegate.openSession(request).thenApply(Session::new);
    }

    private final class Session extends ForwardingSession {

      Session(BridgeSession inner) {
        super(inner);
      }

      @Override
      public boolean present() {
        return !storedAwaiting.isEmpty() || inner.present();
      }

      @Override
      public CompletionStage<Void> publishExactlyOnce(Publication publication, int packetId) {
        exactlyOnce.add(packetId);
        return inner.publish(publication);
      }

      @Override
      public Set<Integer> awaitingRelease() {
        return storedAwaiting;
      }

      @Override
      public void release(int packetId) {
        released.add(packetId);
      }

      @Override
      public void recover() {
        recovered++;
      }
    }
  }
}

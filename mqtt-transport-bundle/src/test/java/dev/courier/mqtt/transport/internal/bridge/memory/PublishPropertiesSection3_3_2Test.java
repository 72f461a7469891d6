package dev.courier.mqtt.transport.internal.bridge.memory;

import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.T0;
import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.expiringAt;
import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.properties;
import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.Client;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.3.2.3, PUBLISH properties as the bridge sees them: passed to every
 * subscriber unchanged [MQTT-3.3.2-4] [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20], and a
 * message whose expiry has passed is never delivered [MQTT-3.3.2-5].
 */
class PublishPropertiesSection3_3_2Test {

  private final BridgeFixture fixture = new BridgeFixture();
  private final InMemoryBridge bridge = fixture.bridge;

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void whenPublishedWithProperties_thenEverySubscriberGetsThemUnchanged() {
    Client first = fixture.connect("first");
    Client second = fixture.connect("second");
    first.subscribe(new SubscriptionRequest("a/+", 1));
    second.subscribe(new SubscriptionRequest("a/#", 2));
    MessageProperties sent = properties(T0 + 60_000);

    fixture.connect("pub").publish("a/b", "x", 1, false, sent);

    for (Client client : List.of(first, second)) {
      Delivery delivery = client.drain().get(0);
      assertThat(delivery.properties()).isSameAs(sent);
      assertThat(delivery.properties().expiresAtMillis()).isEqualTo(T0 + 60_000);
    }
  }

  @Test
  void whenRetainedWithProperties_thenTheRetainedCopyAtSubscribeCarriesThem() {
    MessageProperties sent = properties(0);
    fixture.connect("pub").publish("r/1", "kept", 1, true, sent);
    Client late = fixture.connect("late");

    late.subscribe(new SubscriptionRequest("r/#", 1));

    Delivery retained = late.drain().get(0);
    assertThat(retained.retain()).isTrue();
    assertThat(retained.properties()).isSameAs(sent);
  }

  @Test
  void whenExpiryPassesWhileQueuedForAnOfflineSession_thenNeverDelivered_andCounted() {
    Client sub = fixture.connect("sub", false, SessionRequest.NEVER);
    sub.subscribe(new SubscriptionRequest("t", 1));
    sub.session.detach();
    Client pub = fixture.connect("pub");
    pub.publish("t", "short", 1, false, expiringAt(T0 + 10_000));
    pub.publish("t", "forever", 1, false, MessageProperties.NONE);
    pub.publish("t", "long", 1, false, expiringAt(T0 + 20_000));
    fixture.advance(10_000);

    Client back = fixture.connect("sub", false, SessionRequest.NEVER);

    assertThat(back.drain()).extracting(BridgeFixture::text).containsExactly("forever", "long");
    assertThat(bridge.expiredMessages()).isEqualTo(1);
  }

  @Test
  void whenExpiryPassesBeforeAConnectedClientPollsIt_thenItIsSkipped() {
    Client sub = fixture.connect("sub");
    sub.subscribe(new SubscriptionRequest("t", 2));
    Client pub = fixture.connect("pub");
    pub.publish("t", "stale", 2, false, expiringAt(T0 + 1_000));
    pub.publish("t", "fresh", 2, false, expiringAt(T0 + 5_000));
    fixture.advance(1_001);

    List<Delivery> delivered = sub.drain();

    assertThat(delivered).extracting(BridgeFixture::text).containsExactly("fresh");
    assertThat(delivered.get(0).properties().expiresAtMillis()).isEqualTo(T0 + 5_000);
    assertThat(bridge.expiredMessages()).isEqualTo(1);
  }

  @Test
  void whenRetainedMessageExpired_thenNotSentAtSubscribe_andNoLongerRetained() {
    Client pub = fixture.connect("pub");
    pub.publish("r/old", "old", 1, true, expiringAt(T0 + 1_000));
    pub.publish("r/new", "new", 1, true, expiringAt(T0 + 9_000));
    fixture.advance(1_000);
    Client sub = fixture.connect("sub");

    sub.subscribe(new SubscriptionRequest("r/+", 1));

    assertThat(sub.drain()).extracting(BridgeFixture::text).containsExactly("new");
    assertThat(bridge.retainedCount()).isEqualTo(1);
    assertThat(bridge.expiredMessages()).isEqualTo(1);
  }

  @Test
  void whenSweepRuns_thenExpiredRetainedAndOfflineQueuedMessagesAreLetGo() {
    Client sub = fixture.connect("sub", false, SessionRequest.NEVER);
    sub.subscribe(new SubscriptionRequest("q", 1));
    sub.session.detach();
    Client pub = fixture.connect("pub");
    pub.publish("q", "queued", 1, false, expiringAt(T0 + 1_000));
    pub.publish("q", "stays", 1, false, expiringAt(T0 + 2_000));
    pub.publish("r", "retained", 0, true, expiringAt(T0 + 1_000));
    fixture.advance(1_500);

    bridge.sweep();

    assertThat(bridge.retainedCount()).isZero();
    assertThat(sub.queued()).isEqualTo(1);
    assertThat(bridge.expiredMessages()).isEqualTo(2);
  }

  @Test
  void whenOfflineQueueIsFullOfExpiredMessages_thenANewMessageTakesTheirPlace() {
    Client sub = fixture.connect("sub", false, SessionRequest.NEVER, 2);
    sub.subscribe(new SubscriptionRequest("q", 1));
    sub.session.detach();
    Client pub = fixture.connect("pub");
    pub.publish("q", "a", 1, false, expiringAt(T0 + 1_000));
    pub.publish("q", "b", 1, false, expiringAt(T0 + 1_000));
    fixture.advance(1_000);

    pub.publish("q", "c", 1, false, MessageProperties.NONE);

    assertThat(bridge.droppedMessages()).isZero();
    Client back = fixture.connect("sub", false, SessionRequest.NEVER, 2);
    assertThat(back.drain()).extracting(BridgeFixture::text).containsExactly("c");
  }

  @Test
  void whenAlreadyExpiredWhenPublished_thenNeitherRetainedNorForwarded() {
    Client sub = fixture.connect("sub");
    sub.subscribe(new SubscriptionRequest("t", 1));
    fixture.advance(5_000);

    fixture.connect("pub").publish("t", "late", 1, true, expiringAt(T0 + 5_000));

    assertThat(sub.drain()).isEmpty();
    assertThat(bridge.retainedCount()).isZero();
    assertThat(bridge.expiredMessages()).isEqualTo(1);
  }

  @Test
  void whenMessageExpiresAfterBeingHandedOut_thenTheBridgeDoesNotTakeItBack() {
    Client sub = fixture.connect("sub");
    sub.subscribe(new SubscriptionRequest("t", 1));
    fixture.connect("pub").publish("t", "x", 1, false, expiringAt(T0 + 1_000));
    Delivery delivery = sub.session.poll();
    fixture.advance(2_000);

    bridge.sweep();

    // The transport owns it now and computes the remaining interval from the absolute value.
    assertThat(text(delivery)).isEqualTo("x");
    assertThat(delivery.properties().expiresAtMillis()).isEqualTo(T0 + 1_000);
    assertThat(bridge.expiredMessages()).isZero();
  }
}

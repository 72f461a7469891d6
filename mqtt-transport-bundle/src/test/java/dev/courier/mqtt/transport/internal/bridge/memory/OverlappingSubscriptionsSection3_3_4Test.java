package dev.courier.mqtt.transport.internal.bridge.memory;

import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.Client;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.3.4, overlapping subscriptions of one session: the message is delivered once
 * at the highest QoS of the matching subscriptions [MQTT-3.3.4-2] and carries all their
 * Subscription Identifiers [MQTT-3.3.4-3] [MQTT-3.3.4-4]; No Local and Retain As Published are
 * evaluated per matching subscription (see {@link InMemoryBridge}).
 */
class OverlappingSubscriptionsSection3_3_4Test {

  private final BridgeFixture fixture = new BridgeFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void whenTwoSubscriptionsMatch_thenDeliveredOnceAtTheHigherQos_withBothIdentifiers() {
    Client sub = fixture.connect("sub");
    sub.subscribe(subscription("a/+", 1, false, false, 0, 1),
        subscription("a/#", 2, false, false, 0, 2), subscription("b/#", 2, false, false, 0, 3));

    fixture.connect("pub").publish("a/b", "x", 2, false, MessageProperties.NONE);

    List<Delivery> delivered = sub.drain();
    assertThat(delivered).hasSize(1);
    assertThat(delivered.get(0).qos()).isEqualTo(2);
    assertThat(delivered.get(0).subscriptionIds()).containsExactlyInAnyOrder(1, 2);
  }

  @Test
  void whenOnlyOneMatchingSubscriptionHasAnIdentifier_thenDeliveriesShareItsArray() {
    Client sub = fixture.connect("sub");
    sub.subscribe(subscription("a/+", 1, false, false, 0, 0),
        subscription("a/#", 0, false, false, 0, 7));
    Client pub = fixture.connect("pub");

    pub.publish("a/b", "1");
    pub.publish("a/c", "2");

    List<Delivery> delivered = sub.drain();
    assertThat(delivered).extracting(Delivery::qos).containsExactly(1, 1);
    assertThat(delivered.get(0).subscriptionIds()).containsExactly(7)
        .isSameAs(delivered.get(1).subscriptionIds());
  }

  @Test
  void whenTwoFiltersCarryTheSameIdentifier_thenItIsNamedOnce() {
    Client three = fixture.connect("three");
    three.subscribe(subscription("a/+", 1, false, false, 0, 5),
        subscription("+/b", 1, false, false, 0, 5), subscription("#", 1, false, false, 0, 6));
    Client two = fixture.connect("two");
    two.subscribe(subscription("a/b", 1, false, false, 0, 5),
        subscription("a/#", 1, false, false, 0, 5));

    fixture.connect("pub").publish("a/b", "x");

    assertThat(three.drain().get(0).subscriptionIds()).containsExactlyInAnyOrder(5, 6);
    assertThat(two.drain().get(0).subscriptionIds()).containsExactly(5);
  }

  @Test
  void whenOneMatchingSubscriptionIsNoLocal_thenOwnMessageComesThroughTheOtherOnly() {
    Client self = fixture.connect("self");
    self.subscribe(subscription("a/#", 2, true, false, 0, 1),
        subscription("a/b", 1, false, false, 0, 2));

    self.publish("a/b", "mine", 2, false, MessageProperties.NONE);
    self.publish("a/c", "mine too", 2, false, MessageProperties.NONE);

    List<Delivery> delivered = self.drain();
    assertThat(delivered).extracting(BridgeFixture::text).containsExactly("mine");
    assertThat(delivered.get(0).qos()).isEqualTo(1);
    assertThat(delivered.get(0).subscriptionIds()).containsExactly(2);
  }

  @Test
  void whenAnyAdmittingSubscriptionHasRetainAsPublished_thenRetainIsKept() {
    Client sub = fixture.connect("sub");
    sub.subscribe(subscription("a/#", 1, false, true, 2, 0),
        subscription("a/b", 1, false, false, 2, 0));
    Client self = fixture.connect("self");
    self.subscribe(subscription("a/#", 1, true, true, 2, 0),
        subscription("a/b", 1, false, false, 2, 0));

    self.publish("a/b", "x", 1, true, MessageProperties.NONE);

    // For "self" the Retain As Published subscription is No Local: it does not admit the message.
    assertThat(sub.drain()).extracting(Delivery::retain).containsExactly(true);
    assertThat(self.drain()).extracting(Delivery::retain).containsExactly(false);
  }

  @Test
  void whenManySessionsOverlap_thenEachGetsTheMessageOnceWithItsOwnIdentifiers() {
    List<Client> subscribers = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      Client sub = fixture.connect("sub-" + i);
      sub.subscribe(subscription("fan/#", 0, false, false, 0, i),
          subscription("fan/+", 1, false, false, 0, 1000 + i), new SubscriptionRequest("+/x", 0));
      subscribers.add(sub);
    }

    fixture.connect("pub").publish("fan/x", "x");

    for (int i = 1; i <= 40; i++) {
      List<Delivery> delivered = subscribers.get(i - 1).drain();
      assertThat(delivered).hasSize(1);
      assertThat(delivered.get(0).qos()).isEqualTo(1);
      assertThat(delivered.get(0).subscriptionIds()).containsExactlyInAnyOrder(i, 1000 + i);
    }
  }
}

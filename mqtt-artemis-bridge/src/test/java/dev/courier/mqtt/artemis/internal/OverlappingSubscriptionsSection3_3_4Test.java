package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.3.4: a message matching several subscriptions of one session is delivered
 * once [MQTT-3.3.4-2], at the highest QoS of the matching subscriptions, with all their
 * identifiers [MQTT-3.3.4-4], No Local and Retain As Published applied per subscription, though
 * Artemis holds a copy in each matching subscription's queue.
 */
class OverlappingSubscriptionsSection3_3_4Test extends ArtemisTestSupport {

  OverlappingSubscriptionsSection3_3_4Test() {
    super(1000);
  }

  @Test
  void whenFiltersOverlap_thenOnceAtTheHighestQosWithEveryIdentifier() throws Exception {
    BridgeSession session = open("sub", true);
    session.attach(new RecordingSink(session));
    await(session.subscribe(List.of(new SubscriptionRequest("a/+", 1, false, false, 0, 1),
        new SubscriptionRequest("a/b", 2, false, false, 0, 2),
        new SubscriptionRequest("#", 0, false, false, 0, 3))));
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(publication("a/b", "all three", 2, false, "pub")));
    Delivery all = exactly(session, 1).get(0);
    assertThat(all.qos()).isEqualTo(2);
    assertThat(all.subscriptionIds()).containsExactlyInAnyOrder(1, 2, 3);

    await(publisher.publish(publication("a/c", "two", 2, false, "pub")));
    Delivery two = exactly(session, 1).get(0);
    assertThat(two.qos()).isEqualTo(1);
    assertThat(two.subscriptionIds()).containsExactlyInAnyOrder(1, 3);

    await(publisher.publish(publication("x", "one", 2, false, "pub")));
    Delivery one = exactly(session, 1).get(0);
    assertThat(one.qos()).isZero();
    assertThat(one.subscriptionIds()).containsExactly(3);
  }

  @Test
  void whenOneOverlappingSubscriptionHasNoLocal_thenTheOtherStillDeliversTheOwnMessage()
      throws Exception {
    BridgeSession me = open("me", true);
    me.attach(new RecordingSink(me));
    await(me.subscribe(List.of(new SubscriptionRequest("t/x", 2, true, false, 0, 7),
        new SubscriptionRequest("t/#", 1, false, false, 0, 8))));
    await(me.publish(publication("t/x", "own", 2, false, "me")));
    Delivery own = exactly(me, 1).get(0);
    assertThat(own.qos()).as("the QoS of the admitting subscription").isEqualTo(1);
    assertThat(own.subscriptionIds()).containsExactly(8);

    await(me.subscribe(List.of(new SubscriptionRequest("t/#", 1, true, false, 0, 8))));
    await(me.publish(publication("t/x", "own again", 2, false, "me")));
    await(open("other", true).publish(publication("t/x", "other", 2, false, "other")));
    Delivery other = exactly(me, 1).get(0);
    assertThat(text(other)).as("no subscription admits the own message").isEqualTo("other");
    assertThat(other.qos()).isEqualTo(2);
    assertThat(other.subscriptionIds()).containsExactlyInAnyOrder(7, 8);
  }

  @Test
  void whenAnAdmittingOverlappingSubscriptionHasRetainAsPublished_thenRetainIsKept()
      throws Exception {
    BridgeSession session = open("sub", true);
    session.attach(new RecordingSink(session));
    await(session.subscribe(List.of(new SubscriptionRequest("r", 0, false, true, 2, 0),
        new SubscriptionRequest("+", 1, false, false, 2, 0))));
    await(open("pub", true).publish(publication("r", "kept", 1, true, "pub")));
    Delivery got = exactly(session, 1).get(0);
    assertThat(got.retain()).isTrue();
    assertThat(got.qos()).isEqualTo(1);
  }

  @Test
  void whenAnOverlappingPersistentSessionWasAwayAcrossRestart_thenEachMessageOnceInOrder()
      throws Exception {
    BridgeSession away = open("away", false);
    await(away.subscribe(List.of(new SubscriptionRequest("s/+", 1),
        new SubscriptionRequest("s/#", 1), new SubscriptionRequest("s/1", 0))));
    away.detach();
    BridgeSession publisher = open("pub", true);
    for (int i = 0; i < 50; i++) {
      await(publisher.publish(publication("s/" + (i % 3), "m" + i, 1, false, "pub")));
    }
    bridge = broker.restart();

    BridgeSession resumed = open("away", false);
    resumed.attach(new RecordingSink(resumed));
    assertThat(exactly(resumed, 50)).extracting(OverlappingSubscriptionsSection3_3_4Test::text)
        .containsExactlyElementsOf(IntStream.range(0, 50).mapToObj(i -> "m" + i).toList());
  }

  @Test
  void whenTheOverlappingFilterIsUnsubscribed_thenTheRemainingOneDeliversAlone()
      throws Exception {
    BridgeSession session = open("sub", true);
    session.attach(new RecordingSink(session));
    await(session.subscribe(List.of(new SubscriptionRequest("u/+", 2, false, false, 0, 1),
        new SubscriptionRequest("u/v", 1, false, false, 0, 2))));
    await(session.unsubscribe(List.of("u/+")));
    await(open("pub", true).publish(publication("u/v", "left", 2, false, "pub")));
    Delivery got = exactly(session, 1).get(0);
    assertThat(got.qos()).isEqualTo(1);
    assertThat(got.subscriptionIds()).containsExactly(2);
  }
}

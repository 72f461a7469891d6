package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.Queue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Artemis reads {@code address::queue} as a fully qualified queue name, in a routed message's
 * address and in a queue's name: an MQTT topic, filter, client id or ShareName holding {@code ::}
 * must reach, bind or take no queue, the bridge's own record queues included.
 */
class QueueNameInjectionTest extends ArtemisTestSupport {

  QueueNameInjectionTest() {
    super(100);
  }

  private Queue records() {
    return broker.server().locateQueue(SimpleString.of(SessionStore.QUEUE));
  }

  private static List<Integer> granted(BridgeSession session, SubscriptionRequest request)
      throws Exception {
    return session.subscribe(List.of(request)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void whenATopicNamesAQueue_thenThePublicationReachesNone() throws Exception {
    BridgeSession own = open("bob", true);
    own.attach(new RecordingSink(own));
    await(own.subscribe(List.of(new SubscriptionRequest("x", 1),
        new SubscriptionRequest("x", 1, false, false, 0, 0, "g"))));
    BridgeSession publisher = open("pub", false);
    // its session record: journaled when open() returns, counted in the queue a little later
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> records().getMessageCount() == 1);
    for (String queue : List.of(ArtemisBridge.queueName("bob", "x"),
        SharedGroups.queueName("g", "x"))) {
      await(publisher.publish(publication("x::" + TopicMapping.toTopic(queue), "forged", 1,
          false)));
    }
    await(publisher.publish(publication("x::$courier/sessions", "forged", 1, false)));
    await(publisher.publishExactlyOnce(publication("$courier/sessions::$courier/sessions",
        "forged", 2, false), 9));
    await(publisher.publish(publication("x", "real", 1, false)));

    List<Delivery> got = exactly(own, 2); // through its own subscription and its group
    assertThat(got).extracting(ArtemisTestSupport::text).containsExactly("real", "real");
    // Routed in the publisher's order, a forged record would be counted before "real" arrived.
    assertThat(records().getMessageCount()).as("no record forged").isEqualTo(1);
  }

  @Test
  void whenAFilterOrShareNameHoldsTheSeparator_thenTheSubscriptionIsRefused() throws Exception {
    BridgeSession alice = open("alice", true);
    alice.attach(new RecordingSink(alice));
    assertThat(granted(alice, new SubscriptionRequest("a/x::b/c", 1))).containsExactly(0x80);
    assertThat(granted(alice, new SubscriptionRequest("b", 1, false, false, 0, 0, "g::a")))
        .containsExactly(0x80);
    assertThat(broker.server().locateQueue(SimpleString.of("b.c"))).as("no queue b.c").isNull();
    assertThat(broker.server().locateQueue(SimpleString.of("a"))).as("no queue a").isNull();

    BridgeSession publisher = open("pub", true);
    await(publisher.publish(publication("a/x", "not for alice", 1, false)));
    await(publisher.publish(publication("b", "not for alice either", 1, false)));
    await(publisher.publish(publication("a/x::b/c", "unroutable", 1, false)));
    assertThat(alice.poll()).isNull();
  }

  @Test
  void whenAClientIdHoldsTheSeparator_thenItsSubscriptionsAreRefusedAndNoQueueIsTaken()
      throws Exception {
    BridgeSession thief = open("x::$courier", false);
    thief.attach(new RecordingSink(thief));
    assertThat(granted(thief, new SubscriptionRequest("sessions", 1))).containsExactly(0x80);
    assertThat(records().getConsumerCount()).as("the record queue has only the bridge")
        .isEqualTo(1);
    await(thief.unsubscribe(List.of("sessions")));
    thief.detach();
    assertThat(records()).as("the record queue is still there").isNotNull();

    bridge = broker.restart();
    assertThat(open("x::$courier", false).present()).as("the session itself is kept").isTrue();
  }
}

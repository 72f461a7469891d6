package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the bridge tells the transport for the MQTT 5.0 UNSUBACK reason codes (section 3.11.3):
 * {@link BridgeSession#unsubscribeExisting} says per key whether the session held it (0x00
 * Success, the subscription is deleted) or not (0x11 No subscription existed), also for a session
 * resumed after the broker restarted, whose subscriptions come back from the bridge's records.
 */
class UnsubAckSection3_11_3Test extends SharedSubscriptionSupport {

  /** Unsubscribes {@code keys} and returns what the bridge says about each. */
  private static List<Boolean> unsubscribed(BridgeSession session, String... keys)
      throws Exception {
    return session.unsubscribeExisting(List.of(keys)).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void whenTheSessionHeldTheFilter_thenTrue_andFalseWhenNoMatchingTopicFilterIsInUse()
      throws Exception {
    BridgeSession session = member("c", true, new SubscriptionRequest("a/b", 1),
        shared("a/b", 1, 0));

    assertThat(unsubscribed(session, "a/b", "never/held", "$share/g/a/b", "$share/other/a/b",
        "$share/g/never", "a/b")).containsExactly(true, false, true, false, false, false);
    // The subscriptions are deleted: their queues and the group's are gone.
    assertThat(courierQueues()).isEmpty();
    assertThat(groupQueues()).isEmpty();
    assertThat(unsubscribed(session, "a/b", "$share/g/a/b")).containsExactly(false, false);
  }

  @Test
  void whenResumedAfterTheBrokerRestarted_thenTheSubscriptionsItHeldBeforeAreTrue()
      throws Exception {
    BridgeSession first = member("p", false, new SubscriptionRequest("kept/1", 1),
        shared("kept/2", 1, 0));
    first.detach();
    bridge = broker.restart();

    BridgeSession resumed = open("p", false);
    assertThat(resumed.present()).isTrue();
    assertThat(unsubscribed(resumed, "kept/1", "$share/g/kept/2", "kept/2", "never/held"))
        .containsExactly(true, true, false, false);
    resumed.detach();
    bridge = broker.restart();

    // Deleted from the records too: held no more after the next restart.
    BridgeSession again = open("p", false);
    assertThat(again.present()).isTrue();
    assertThat(unsubscribed(again, "kept/1", "$share/g/kept/2")).containsExactly(false, false);
  }

  @Test
  void whenResumedWithoutRestart_thenTheSubscriptionsItHeldBeforeAreTrue() throws Exception {
    BridgeSession first = member("p", false, shared("kept/2", 1, 0));
    first.detach();

    BridgeSession resumed = open("p", false);
    assertThat(resumed.present()).isTrue();
    assertThat(unsubscribed(resumed, "$share/g/kept/2", "kept/2")).containsExactly(true, false);
  }

  @Test
  void whenUnsubscribedWithoutAsking_thenTheSubscriptionGoesAllTheSame() throws Exception {
    BridgeSession session = member("c", false, new SubscriptionRequest("a/b", 1));

    await(session.unsubscribe(List.of("a/b")));
    assertThat(courierQueues()).isEmpty();
    assertThat(unsubscribed(session, "a/b")).containsExactly(false);
  }
}

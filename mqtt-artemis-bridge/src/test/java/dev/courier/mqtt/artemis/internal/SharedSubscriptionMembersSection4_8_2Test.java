package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.activemq.artemis.core.server.Queue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 4.8.2 on Artemis, as members come and go: what a member that goes away held
 * goes to the others (QoS 1) or stays its own [MQTT-4.8.2-4] [MQTT-4.8.2-5]; with no member
 * attached messages wait; the group's queue lives while a session holds the subscription, across
 * a restart or a crash, and goes with the last member.
 */
class SharedSubscriptionMembersSection4_8_2Test extends SharedSubscriptionSupport {

  private final TestClock clock = new TestClock();

  @Override
  LongSupplier clock() {
    return clock;
  }

  @Test
  void whenAMemberGoesAway_thenTheOthersGetWhatItHeldAndEverythingAfter() throws Exception {
    BridgeSession leaving = member("leaving", false, shared("d", 1, 0));
    BridgeSession staying = member("staying", true, shared("d", 1, 0));
    publishRange("d", 0, 100, 1);
    List<Delivery> held = new RecordingSink(leaving).take(5, false); // sent, never acknowledged
    leaving.detach();
    publishRange("d", 100, 150, 1);

    List<Delivery> got = takeAll(150, groupQueue("d"), staying).get(0);
    assertThat(texts(got)).containsExactlyInAnyOrderElementsOf(range(0, 150));
    assertThat(got).filteredOn(d -> texts(held).contains(text(d)))
        .as("sent before, to the member that left").hasSize(5).allMatch(Delivery::redelivery);

    BridgeSession back = open("leaving", false);
    assertThat(back.present()).isTrue();
    back.attach(new RecordingSink(back));
    held.forEach(d -> back.acknowledge(d.tag())); // the transport's resend, acknowledged late
    assertThat(back.poll()).as("its share went to the member that stayed").isNull();
  }

  @Test
  void whenAMemberGoesAwayWithQos2InFlight_thenOnlyThatMemberCompletesIt() throws Exception {
    BridgeSession leaving = member("leaving", false, shared("x", 2, 0));
    BridgeSession staying = member("staying", true, shared("x", 2, 0));
    publishRange("x", 0, 40, 2);
    List<Delivery> held = new RecordingSink(leaving).take(3, false);
    leaving.detach();

    Queue queue = groupQueue("x");
    List<Delivery> got = takeAll(37, 3, queue, staying).get(0);
    assertThat(texts(got)).doesNotContainAnyElementsOf(texts(held)); // [MQTT-4.8.2-4]

    BridgeSession back = open("leaving", false);
    back.recover(); // a transport that no longer holds them: handed out again
    RecordingSink sink = new RecordingSink(back);
    back.attach(sink);
    List<Delivery> again = sink.take(3, true);
    assertThat(texts(again)).containsExactlyElementsOf(texts(held));
    assertThat(again).allMatch(Delivery::redelivery).extracting(Delivery::qos).containsOnly(2);
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> queue.getMessageCount() == 0);
  }

  @Test
  void whenAMembersSessionEndsWithDeliveriesInFlight_thenQos1GoesToAnotherAndQos2ToNone()
      throws Exception {
    BridgeSession ending = member("ending", true, shared("y", 2, 0));
    BridgeSession staying = member("staying", true, shared("y", 2, 0));
    publishRange("y", 0, 30, 1);
    publishRange("y", 30, 60, 2);
    List<Delivery> held = new ArrayList<>(); // its QoS 1 share, then one QoS 2
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> {
      for (Delivery d; (d = ending.poll()) != null; ) {
        held.add(d);
        if (d.qos() == 2) {
          return true;
        }
      }
      return false;
    });
    await(ending.close());

    List<Delivery> got = takeAll(59, groupQueue("y"), staying).get(0);
    String dropped = text(held.get(held.size() - 1));
    assertThat(texts(got)).as("everything but the QoS 2 message in flight [MQTT-4.8.2-5]")
        .containsExactlyInAnyOrderElementsOf(range(0, 60).stream()
            .filter(text -> !text.equals(dropped)).toList());
    assertThat(held).as("QoS 1 in flight went to the other member too").hasSizeGreaterThan(1);
  }

  @Test
  void whenEveryMemberIsAway_thenMessagesWaitForTheFirstBack() throws Exception {
    for (String clientId : List.of("a", "b")) {
      BridgeSession session = open(clientId, false);
      await(session.subscribe(List.of(shared("w", 1, 0))));
      session.detach();
    }
    publishRange("w", 0, 50, 1);
    Queue queue = groupQueue("w");
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> queue.getMessageCount() == 50);

    BridgeSession back = open("b", false);
    back.attach(new RecordingSink(back));
    assertThat(texts(takeAll(50, queue, back).get(0))).containsExactlyElementsOf(range(0, 50));
  }

  @Test
  void whenTheLastMemberLeaves_thenTheGroupQueueIsDeleted() throws Exception {
    String name = SharedGroups.queueName(GROUP, "l");
    BridgeSession closing = member("closing", true, shared("l", 1, 0));
    BridgeSession unsubscribing = member("unsubscribing", false, shared("l", 1, 0));
    member("restarting", false, shared("l", 1, 0));
    BridgeSession expiring = bridge.openSession(new SessionRequest("expiring", false, 100, 60))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    await(expiring.subscribe(List.of(shared("l", 1, 0))));
    publishRange("l", 0, 10, 1);

    await(closing.close());
    await(unsubscribing.unsubscribe(List.of(shared("l", 1, 0).key())));
    open("restarting", true); // Clean Start: the old session and its subscriptions go
    assertThat(groupQueues()).containsExactly(name);
    expiring.detach(60);
    Awaitility.await().atMost(10, TimeUnit.SECONDS)
        .until(() -> bridge.sessionStore().get("expiring").detachedAt != 0);
    assertThat(groupQueues()).containsExactly(name);
    clock.advance(60_000);
    bridge.sweepExpired();
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> groupQueues().isEmpty());
    assertThat(bridge.groups().size()).isZero();
  }

  @Test
  void whenTheBrokerRestarts_thenMembershipAndQueuedGroupMessagesSurvive() throws Exception {
    for (String clientId : List.of("a", "b")) {
      BridgeSession session = open(clientId, false);
      await(session.subscribe(List.of(shared("p", 1, 7))));
      session.detach();
    }
    publishRange("p", 0, 50, 1);
    bridge = broker.restart();

    BridgeSession a = open("a", false);
    assertThat(a.present()).isTrue();
    a.attach(new RecordingSink(a));
    List<Delivery> got = takeAll(50, groupQueue("p"), a).get(0);
    assertThat(texts(got)).containsExactlyElementsOf(range(0, 50));
    assertThat(got).allSatisfy(d -> assertThat(d.subscriptionIds()).containsExactly(7));

    await(a.unsubscribe(List.of(shared("p", 1, 7).key())));
    publishRange("p", 50, 60, 1); // for b, stored but not back yet
    BridgeSession b = open("b", false);
    b.attach(new RecordingSink(b));
    assertThat(texts(takeAll(10, groupQueue("p"), b).get(0)))
        .containsExactlyElementsOf(range(50, 60));
    await(b.close());
    assertThat(groupQueues()).isEmpty();
  }

  @Test
  void whenTheBrokerIsKilledWithGroupMessagesInFlight_thenEveryMessageArrivesOnce()
      throws Exception {
    BridgeSession a = member("a", false, shared("k", 1, 0));
    member("b", false, shared("k", 1, 0));
    publishRange("k", 0, 100, 1);
    assertThat(new RecordingSink(a).take(5, false)).hasSize(5); // in flight at the crash
    bridge = broker.crash();

    BridgeSession[] back = new BridgeSession[2];
    for (int i = 0; i < 2; i++) {
      back[i] = open(i == 0 ? "a" : "b", false);
      back[i].recover();
      back[i].attach(new RecordingSink(back[i]));
    }
    List<List<Delivery>> got = takeAll(100, groupQueue("k"), back);
    assertThat(texts(all(got))).containsExactlyInAnyOrderElementsOf(range(0, 100));
  }

  @Test
  void whenOnlyCleanSessionsHeldAGroupAtACrash_thenItsQueueIsGoneAtStart() throws Exception {
    member("clean", true, shared("c", 1, 0));
    member("persistent", false, shared("kept", 1, 0));
    publishRange("c", 0, 5, 1);
    assertThat(groupQueues()).containsExactlyInAnyOrder(SharedGroups.queueName(GROUP, "c"),
        SharedGroups.queueName(GROUP, "kept"));
    bridge = broker.crash();
    assertThat(groupQueues()).containsExactly(SharedGroups.queueName(GROUP, "kept"));
  }
}

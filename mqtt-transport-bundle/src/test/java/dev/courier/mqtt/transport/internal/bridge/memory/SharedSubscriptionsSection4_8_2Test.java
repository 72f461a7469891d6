package dev.courier.mqtt.transport.internal.bridge.memory;

import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.shared;
import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.Client;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 4.8.2, shared subscriptions in the in-memory bridge: each message goes to one
 * member of the group, round robin, at that member's QoS and with its options; no retained
 * messages at subscribe; independent of the session's own subscriptions; attached members first;
 * a full queue passes the message on; the group lives as long as it has members.
 */
class SharedSubscriptionsSection4_8_2Test {

  private static final String KEY = "$share/g/t/#";

  private final BridgeFixture fixture = new BridgeFixture();
  private final InMemoryBridge bridge = fixture.bridge;

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void whenThreeMembersAreAttached_thenEachMessageGoesToOneOfThemInTurn() {
    assertThat(bridge.sharedSubscriptions()).isTrue();
    List<Client> members = List.of(member("a", 1, 0), member("b", 1, 0), member("c", 1, 0));
    Client pub = fixture.connect("pub");

    for (int i = 0; i < 30; i++) {
      pub.publish("t/x", "m" + i);
    }

    List<String> all = new ArrayList<>();
    for (Client member : members) {
      List<String> got = member.drain().stream().map(BridgeFixture::text).toList();
      assertThat(got).as(member.clientId).hasSize(10);
      all.addAll(got);
    }
    assertThat(all).containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, 30).mapToObj(i -> "m" + i).toList());
  }

  @Test
  void whenMembersWereGrantedDifferentQos_thenEachDeliveryIsCappedByItsMembersQos() {
    Client low = member("low", 0, 0);
    Client high = member("high", 2, 0);
    Client pub = fixture.connect("pub");

    for (int qos : new int[] {2, 2, 1, 1}) {
      pub.publish("t/x", "q" + qos, qos, false, MessageProperties.NONE);
    }

    // [MQTT-3.8.4-6] min(publication QoS, the chosen member's granted QoS)
    assertThat(low.drain()).extracting(Delivery::qos).containsExactly(0, 0);
    assertThat(high.drain()).extracting(Delivery::qos).containsExactly(2, 1);
  }

  @Test
  void whenMembersHaveSubscriptionIdentifiers_thenEachDeliveryCarriesItsMembersOwn() {
    Client a = member("a", 1, 11);
    Client b = member("b", 1, 22);
    Client none = member("none", 1, 0);
    Client pub = fixture.connect("pub");

    for (int i = 0; i < 3; i++) {
      pub.publish("t/x", "m" + i);
    }

    assertThat(a.drain()).singleElement()
        .satisfies(d -> assertThat(d.subscriptionIds()).containsExactly(11));
    assertThat(b.drain()).singleElement()
        .satisfies(d -> assertThat(d.subscriptionIds()).containsExactly(22));
    assertThat(none.drain()).singleElement()
        .satisfies(d -> assertThat(d.subscriptionIds()).isEmpty());
  }

  @Test
  void whenSubscribingWithRetainedMessagesPresent_thenNoneAreSent() {
    Client pub = fixture.connect("pub");
    pub.publish("t/x", "kept", 1, true, MessageProperties.NONE);
    Client plain = fixture.connect("plain");
    plain.subscribe(subscription("t/#", 1, false, false, 0, 0));

    Client member = member("member", 1, 0); // Retain Handling 0, yet nothing [MQTT-4.8.2]

    assertThat(plain.drain()).extracting(BridgeFixture::text).containsExactly("kept");
    assertThat(member.drain()).isEmpty();
  }

  @Test
  void whenLivePublicationIsRetained_thenTheChosenMembersRetainAsPublishedDecidesTheFlag() {
    Client keeps = fixture.connect("keeps");
    keeps.subscribe(shared("g", "t/#", 1, true, 0));
    Client clears = fixture.connect("clears");
    clears.subscribe(shared("g", "t/#", 1, false, 0));
    Client pub = fixture.connect("pub");

    pub.publish("t/x", "live0", 1, true, MessageProperties.NONE);
    pub.publish("t/x", "live1", 1, true, MessageProperties.NONE);

    // [MQTT-3.3.1-12] [MQTT-3.3.1-13]
    assertThat(keeps.drain()).extracting(Delivery::retain).containsExactly(true);
    assertThat(clears.drain()).extracting(Delivery::retain).containsExactly(false);
  }

  @Test
  void whenSessionAlsoHasAnOrdinarySubscription_thenItGetsThatCopyAndTheGroupsChoiceBesides() {
    Client both = fixture.connect("both");
    both.subscribe(subscription("t/#", 1, false, false, 0, 1), shared("g", "t/#", 2, false, 2));
    Client other = member("other", 2, 3);
    Client pub = fixture.connect("pub");

    pub.publish("t/x", "m0", 2, false, MessageProperties.NONE);
    pub.publish("t/x", "m1", 2, false, MessageProperties.NONE);

    List<Delivery> delivered = both.drain();
    assertThat(delivered).filteredOn(d -> d.subscriptionIds()[0] == 1)
        .extracting(BridgeFixture::text).containsExactly("m0", "m1");
    assertThat(delivered).filteredOn(d -> d.subscriptionIds()[0] == 1)
        .extracting(Delivery::qos).containsOnly(1);
    assertThat(delivered).filteredOn(d -> d.subscriptionIds()[0] == 2)
        .extracting(BridgeFixture::text, Delivery::qos).containsExactly(tuple("m0", 2));
    assertThat(other.drain()).extracting(BridgeFixture::text).containsExactly("m1");
  }

  @Test
  void whenSharedAndOrdinaryKeysShareAFilter_thenUnsubscribingOneKeepsTheOther() {
    Client s = fixture.connect("s");
    s.subscribe(new SubscriptionRequest("t/#", 1), shared("g", "t/#", 1, false, 0));
    Client pub = fixture.connect("pub");

    s.unsubscribe(KEY);
    pub.publish("t/x", "ordinary only");
    s.subscribe(shared("g", "t/#", 1, false, 0));
    s.unsubscribe("t/#");
    pub.publish("t/x", "shared only");

    assertThat(s.drain()).extracting(BridgeFixture::text)
        .containsExactly("ordinary only", "shared only");
  }

  @Test
  void whenMemberSubscribesAgain_thenItsSubscriptionIsReplacedNotAdded() {
    Client a = member("a", 0, 0);
    a.subscribe(shared("g", "t/#", 2, false, 0));
    Client b = member("b", 2, 0);
    Client pub = fixture.connect("pub");

    for (int i = 0; i < 4; i++) {
      pub.publish("t/x", "m" + i, 2, false, MessageProperties.NONE);
    }

    assertThat(bridge.sharedGroups().group(KEY).size()).isEqualTo(2);
    assertThat(a.drain()).extracting(Delivery::qos).containsExactly(2, 2);
    assertThat(b.drain()).hasSize(2);
  }

  @Test
  void whenSomeMembersAreDetached_thenAttachedOnesAreChosen_andDetachedOnlyWhenNoneIsAttached() {
    Client away = persistentMember("away");
    away.session.detach();
    Client here = persistentMember("here");
    Client pub = fixture.connect("pub");

    for (int i = 0; i < 4; i++) {
      pub.publish("t/x", "online" + i);
    }
    assertThat(away.queued()).isZero();
    assertThat(here.drain()).hasSize(4);

    here.session.detach();
    pub.publish("t/x", "offline0");
    pub.publish("t/x", "offline1");
    pub.publish("t/x", "qos0", 0, false, MessageProperties.NONE); // no member connected: dropped

    assertThat(away.queued()).isEqualTo(1);
    assertThat(here.queued()).isEqualTo(1);
    assertThat(bridge.droppedMessages()).isZero(); // not counted as a full queue
    Client back = fixture.connect("away", false, 3600);
    assertThat(back.drain()).extracting(BridgeFixture::text).hasSize(1).allMatch(
        text -> text.startsWith("offline"));
  }

  @Test
  void whenAMembersQueueWouldThrottleItsPublishers_thenAMemberWithRoomIsPreferred() {
    Client busy = fixture.connect("busy", true, 0, 4);
    busy.subscribe(new SubscriptionRequest("fill", 0));
    Client pub = fixture.connect("pub");
    pub.send("fill", "f0", 0);
    pub.send("fill", "f1", 0); // half of its bound: one more would hold the publisher back
    busy.subscribe(shared("g", "t/#", 0, false, 0));
    Client idle = member("idle", 0, 0);

    pub.publish("t/x", "s0", 0, false, MessageProperties.NONE); // busy's turn, yet idle
    pub.publish("t/x", "s1", 0, false, MessageProperties.NONE);

    assertThat(busy.drain()).extracting(BridgeFixture::text).containsExactly("f0", "f1");
    assertThat(idle.drain()).extracting(BridgeFixture::text).containsExactly("s0", "s1");
  }

  @Test
  void whenTheChosenMembersQueueIsFull_thenTheNextTakesIt_andOnlyAllFullDrops() {
    Client a = fixture.connect("a", true, 0, 2);
    Client b = fixture.connect("b", true, 0, 4);
    a.subscribe(new SubscriptionRequest("fill", 0));
    b.subscribe(new SubscriptionRequest("fill", 0));
    Client pub = fixture.connect("pub");
    pub.send("fill", "f0", 0);
    pub.send("fill", "f1", 0); // a is full (2 of 2), b half (2 of 4)
    a.subscribe(shared("g", "t/#", 0, false, 0));
    b.subscribe(shared("g", "t/#", 0, false, 0));

    pub.send("t/x", "s0", 0); // a's turn: full, so b
    pub.send("t/x", "s1", 0); // b's turn
    assertThat(bridge.droppedMessages()).isZero();
    pub.send("t/x", "s2", 0); // both full

    assertThat(bridge.droppedMessages()).isEqualTo(1);
    assertThat(a.drain()).extracting(BridgeFixture::text).containsExactly("f0", "f1");
    assertThat(b.drain()).extracting(BridgeFixture::text).containsExactly("f0", "f1", "s0", "s1");
  }

  @Test
  void whenEveryDetachedMembersQueueIsFull_thenTheMessageIsDroppedOnceNotPerMember() {
    for (String id : List.of("a", "b")) {
      Client member = fixture.connect(id, false, 3600, 2);
      member.subscribe(shared("g", "t/#", 1, false, 0));
      member.session.detach();
    }
    Client pub = fixture.connect("pub");

    for (int i = 0; i < 5; i++) {
      pub.publish("t/x", "m" + i);
    }

    assertThat(bridge.droppedMessages()).isEqualTo(1);
  }

  @Test
  void whenTheLastMemberLeaves_thenTheGroupIsGone_andANewSubscriptionStartsAFreshOne() {
    Client a = member("a", 1, 0);
    Client b = member("b", 1, 0);
    SharedGroup first = bridge.sharedGroups().group(KEY);
    Client pub = fixture.connect("pub");

    a.unsubscribe(KEY);
    assertThat(bridge.sharedGroups().size()).isEqualTo(1);
    b.session.close();
    assertThat(bridge.sharedGroups().size()).isZero();
    pub.publish("t/x", "to nobody");
    Client c = member("c", 1, 0);
    pub.publish("t/x", "n0");
    pub.publish("t/x", "n1");

    assertThat(bridge.sharedGroups().group(KEY)).isNotNull().isNotSameAs(first);
    assertThat(a.drain()).isEmpty();
    assertThat(c.drain()).extracting(BridgeFixture::text).containsExactly("n0", "n1");
  }

  private static org.assertj.core.groups.Tuple tuple(Object... values) {
    return org.assertj.core.groups.Tuple.tuple(values);
  }

  /** A connected client, clean session, member of {@code $share/g/t/#}. */
  private Client member(String clientId, int qos, int id) {
    Client client = fixture.connect(clientId);
    assertThat(client.subscribe(shared("g", "t/#", qos, false, id))).containsExactly(qos);
    return client;
  }

  /** A connected client whose session persists an hour, member of {@code $share/g/t/#}. */
  private Client persistentMember(String clientId) {
    Client client = fixture.connect(clientId, false, 3600);
    client.subscribe(shared("g", "t/#", 1, false, 0));
    return client;
  }
}

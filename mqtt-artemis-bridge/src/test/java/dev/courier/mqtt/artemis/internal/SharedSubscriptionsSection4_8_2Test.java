package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import dev.courier.mqtt.transport.spi.topic.TopicFilters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT 5.0 section 4.8.2, Shared Subscriptions, on Artemis: each message to one member of the
 * group, at that member's QoS [MQTT-4.8.2-3] with its identifier, no retained messages at
 * SUBSCRIBE, independent of the session's ordinary subscriptions.
 */
class SharedSubscriptionsSection4_8_2Test extends SharedSubscriptionSupport {

  private final TestClock clock = new TestClock();

  @Override
  LongSupplier clock() {
    return clock;
  }

  @ParameterizedTest(name = "{0} members")
  @ValueSource(ints = {2, 3})
  void whenMembersShareAGroup_thenEachGetsAShareAndEveryMessageArrivesOnce(int members)
      throws Exception {
    BridgeSession[] sessions = new BridgeSession[members];
    for (int i = 0; i < members; i++) {
      sessions[i] = member("m" + i, true, shared("work/+", 1, 0));
    }
    publishRange("work/a", 0, 150, 1);
    publishRange("work/b", 150, 300, 1);

    List<List<Delivery>> got = takeAll(300, groupQueue("work/+"), sessions);
    assertThat(got).allSatisfy(share -> assertThat(share).as("a member's share").isNotEmpty());
    assertThat(texts(all(got))).containsExactlyInAnyOrderElementsOf(range(0, 300));
    assertThat(courierQueues()).as("no queue of a session's own").isEmpty();
  }

  @Test
  void whenMembersWereGrantedDifferentQos_thenEachGetsAtMostItsOwn() throws Exception {
    BridgeSession zero = member("zero", true, shared("q", 0, 0));
    BridgeSession one = member("one", true, shared("q", 1, 0));
    BridgeSession two = member("two", true, shared("q", 2, 0));
    publishRange("q", 0, 60, 2);

    List<List<Delivery>> got = takeAll(60, groupQueue("q"), zero, one, two);
    for (int qos = 0; qos <= 2; qos++) {
      assertThat(got.get(qos)).as("member granted QoS " + qos).isNotEmpty()
          .extracting(Delivery::qos).containsOnly(qos);
    }
    assertThat(texts(all(got))).containsExactlyInAnyOrderElementsOf(range(0, 60));
  }

  @Test
  void whenMembersHaveSubscriptionIdentifiers_thenEachDeliveryCarriesItsMembersOwn()
      throws Exception {
    BridgeSession first = member("first", true, shared("i/#", 1, 11));
    BridgeSession second = member("second", true, shared("i/#", 1, 22));
    BridgeSession none = member("none", true, shared("i/#", 1, 0));
    publishRange("i/x", 0, 60, 1);

    List<List<Delivery>> got = takeAll(60, groupQueue("i/#"), first, second, none);
    assertThat(got.get(0)).isNotEmpty().allSatisfy(d ->
        assertThat(d.subscriptionIds()).containsExactly(11));
    assertThat(got.get(1)).isNotEmpty().allSatisfy(d ->
        assertThat(d.subscriptionIds()).containsExactly(22));
    assertThat(got.get(2)).isNotEmpty().allSatisfy(d ->
        assertThat(d.subscriptionIds()).isEmpty());
  }

  @Test
  void whenASharedSubscriptionIsMade_thenNoRetainedMessageIsSent() throws Exception {
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(publication("r/old", "retained before", 1, true)));
    BridgeSession session = open("s", true);
    session.attach(new RecordingSink(session));
    await(session.subscribe(List.of(new SubscriptionRequest("r/#", 1, false, true, 0, 0,
        GROUP))));
    assertThat(session.poll()).as("retained messages are queued before SUBSCRIBE completes")
        .isNull();

    await(publisher.publish(publication("r/new", "retained live", 1, true)));
    Delivery live = new RecordingSink(session).take(1, true).get(0);
    assertThat(text(live)).isEqualTo("retained live");
    assertThat(live.retain()).as("Retain As Published, as for any subscription").isTrue();
    assertThat(session.poll()).isNull();
  }

  @Test
  void whenTheSessionAlsoHasTheFilter_thenItGetsEachMessageOnItsOwnAndMaybeForTheGroup()
      throws Exception {
    BridgeSession both = member("both", true, new SubscriptionRequest("t/#", 1, false, false, 0,
        1), shared("t/#", 1, 2));
    BridgeSession other = member("other", true, shared("t/#", 1, 3));
    publishRange("t/x", 0, 100, 1);

    List<List<Delivery>> got = takeAll(200, groupQueue("t/#"), both, other);
    List<Delivery> own = got.get(0).stream().filter(d -> d.subscriptionIds()[0] == 1).toList();
    List<Delivery> group = all(got).stream().filter(d -> d.subscriptionIds()[0] != 1).toList();
    assertThat(texts(own)).as("through its own subscription: all, in order")
        .containsExactlyElementsOf(range(0, 100));
    assertThat(texts(group)).as("through the group: each once")
        .containsExactlyInAnyOrderElementsOf(range(0, 100));
    assertThat(got.get(0)).as("the group chose it for some")
        .anySatisfy(d -> assertThat(d.subscriptionIds()).containsExactly(2));
    assertThat(got.get(0)).allSatisfy(d -> assertThat(d.subscriptionIds()).hasSize(1));
  }

  @Test
  void whenUnsubscribingTheSharedFilter_thenTheSessionLeavesTheGroupOnly() throws Exception {
    BridgeSession both = member("both", false, new SubscriptionRequest("u", 1, false, false, 0,
        1), shared("u", 1, 2));
    BridgeSession other = member("other", true, shared("u", 1, 3));
    publishRange("u", 0, 30, 1); // "both" takes a share of them, not polled yet
    await(both.unsubscribe(List.of(shared("u", 1, 2).key()))); // $share/g/u
    publishRange("u", 30, 40, 1);

    // "both" is not polled meanwhile: what it held for the group went back when it left
    assertThat(texts(takeAll(40, groupQueue("u"), other).get(0)))
        .as("the other member has the group's now, what 'both' held too")
        .containsExactlyInAnyOrderElementsOf(range(0, 40));
    List<Delivery> own = exactly(both, 40);
    assertThat(own).extracting(d -> d.subscriptionIds()[0]).containsOnly(1);
    assertThat(texts(own)).containsExactlyElementsOf(range(0, 40));

    bridge = broker.restart(); // and so it was stored
    BridgeSession resumed = open("both", false);
    resumed.attach(new RecordingSink(resumed));
    publishRange("u", 40, 50, 1);
    assertThat(exactly(resumed, 10)).extracting(d -> d.subscriptionIds()[0]).containsOnly(1);
    assertThat(groupQueues()).as("the other member's session ended with the restart").isEmpty();
  }

  @Test
  void whenAGroupMessageExpiredBeforeAMemberCameBack_thenItIsNeverDelivered() throws Exception {
    BridgeSession away = open("away", false);
    await(away.subscribe(List.of(shared("e", 1, 0))));
    away.detach();
    BridgeSession publisher = open("pub", true);
    for (String text : List.of("short", "long")) {
      long at = clock.getAsLong() + (text.equals("short") ? 60_000 : 600_000);
      await(publisher.publish(new Publication("e", text.getBytes(StandardCharsets.UTF_8), 1,
          false, "pub", new MessageProperties(-1, null, null, null, List.of(), at))));
    }
    clock.advance(60_000);

    BridgeSession back = open("away", false);
    back.attach(new RecordingSink(back));
    List<List<Delivery>> got = takeAll(1, groupQueue("e"), back);
    assertThat(texts(got.get(0))).containsExactly("long"); // [MQTT-3.3.2-5]
  }

  @Test
  void whenPublishingToTheGroupQueuesName_thenNobodyGetsIt_forItIsReserved() throws Exception {
    BridgeSession session = member("s", true, shared("a/b", 1, 0));
    String queueTopic = TopicMapping.toTopic(SharedGroups.queueName(GROUP, "a/b"));
    assertThat(bridge.reservedTopics()).as("the transport keeps MQTT clients out of " + queueTopic)
        .anyMatch(reserved -> TopicFilters.matches(reserved, queueTopic));
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(publication(queueTopic, "forged", 1, false)));
    await(publisher.publish(publication("a/b", "real", 1, false)));

    assertThat(texts(takeAll(1, groupQueue("a/b"), session).get(0))).containsExactly("real");
    assertThat(courierQueues()).as("not any session's own subscription").isEmpty();
  }
}

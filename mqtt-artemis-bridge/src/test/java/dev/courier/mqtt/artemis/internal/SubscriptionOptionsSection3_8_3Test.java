package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.Queue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.8.3.1, Subscription Options (No Local, Retain As Published, Retain Handling),
 * and the Subscription Identifier (3.8.2.1.2, 3.3.4), kept by a resumed session and a restart.
 */
class SubscriptionOptionsSection3_8_3Test extends ArtemisTestSupport {

  SubscriptionOptionsSection3_8_3Test() {
    super(100);
  }

  /** At QoS 1. */
  private static Publication publication(String topic, String text, boolean retain, String from) {
    return publication(topic, text, 1, retain, from);
  }

  private static SubscriptionRequest options(String filter, boolean noLocal, boolean rap,
      int retainHandling, int id) {
    return new SubscriptionRequest(filter, 1, noLocal, rap, retainHandling, id);
  }

  @Test
  void whenNoLocal_thenTheClientsOwnMessagesAreNotDeliveredButOthersAre() throws Exception {
    BridgeSession me = open("me", true);
    RecordingSink sink = new RecordingSink(me);
    me.attach(sink);
    await(me.subscribe(List.of(options("t", true, false, 0, 0))));
    await(me.publish(publication("t", "own", false, "me")));
    await(open("other", true).publish(publication("t", "other", false, "other")));

    assertThat(sink.take(1, true)).extracting(SubscriptionOptionsSection3_8_3Test::text)
        .containsExactly("other");
    assertThat(me.poll()).isNull();
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> messagesInQueues() == 0);
  }

  @Test
  void whenNotNoLocal_thenTheClientsOwnMessagesAreDelivered() throws Exception {
    BridgeSession me = open("me", true);
    RecordingSink sink = new RecordingSink(me);
    me.attach(sink);
    await(me.subscribe(List.of(options("t", false, false, 0, 0))));
    await(me.publish(publication("t", "own", false, "me")));
    assertThat(sink.take(1, true)).extracting(SubscriptionOptionsSection3_8_3Test::text)
        .containsExactly("own");
  }

  @Test
  void whenNoLocal_thenTheClientsOwnRetainedMessageIsNotSentAtSubscribe() throws Exception {
    BridgeSession me = open("me", true);
    me.attach(new RecordingSink(me));
    await(me.publish(publication("r/own", "own", true, "me")));
    await(open("other", true).publish(publication("r/other", "other", true, "other")));
    await(me.subscribe(List.of(options("r/#", true, false, 0, 0))));
    assertThat(new RecordingSink(me).take(1, true)).extracting(Delivery::topic)
        .containsExactly("r/other");
    assertThat(me.poll()).isNull();
  }

  @Test
  void whenRetainAsPublished_thenTheRetainFlagIsKept_elseCleared() throws Exception {
    BridgeSession asPublished = open("rap", true);
    asPublished.attach(new RecordingSink(asPublished));
    await(asPublished.subscribe(List.of(options("live", false, true, 2, 0))));
    BridgeSession cleared = open("plain", true);
    cleared.attach(new RecordingSink(cleared));
    await(cleared.subscribe(List.of(options("live", false, false, 2, 0))));
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(publication("live", "kept", true, "pub")));
    await(publisher.publish(publication("live", "not retained", false, "pub")));

    assertThat(new RecordingSink(asPublished).take(2, true)).extracting(Delivery::retain)
        .containsExactly(true, false);
    assertThat(new RecordingSink(cleared).take(2, true)).extracting(Delivery::retain)
        .containsExactly(false, false);
  }

  @Test
  void whenRetainHandling_thenRetainedMessagesAtSubscribeAsItSays() throws Exception {
    await(open("pub", true).publish(publication("r", "retained", true, "pub")));
    BridgeSession session = open("sub", true);
    session.attach(new RecordingSink(session));
    for (int handling = 0; handling <= 2; handling++) {
      String filter = handling == 0 ? "r" : handling == 1 ? "+" : "#"; // each matches r
      await(session.subscribe(List.of(options(filter, false, false, handling, 0))));
      int expected = handling == 2 ? 0 : 1;
      assertThat(drain(session)).as("new subscription, Retain Handling " + handling)
          .hasSize(expected);
      await(session.subscribe(List.of(options(filter, false, false, handling, 0))));
      assertThat(drain(session)).as("existing subscription, Retain Handling " + handling)
          .hasSize(handling == 0 ? 1 : 0);
    }
  }

  /** Takes what is queued now: the retained messages a SUBSCRIBE queued (before it completed). */
  private static List<Delivery> drain(BridgeSession session) {
    List<Delivery> got = new java.util.ArrayList<>();
    for (Delivery d; (d = session.poll()) != null; ) {
      got.add(d);
      session.acknowledge(d.tag());
    }
    return got;
  }

  @Test
  void whenSubscribedWithAnIdentifier_thenDeliveriesCarryIt_acrossResumeAndRestart()
      throws Exception {
    await(open("pub", true).publish(publication("s/r", "retained", true, "pub")));
    BridgeSession session = open("sub", false);
    RecordingSink sink = new RecordingSink(session);
    session.attach(sink);
    await(session.subscribe(List.of(options("s/#", false, false, 0, 42),
        options("other", false, false, 0, 0))));
    Delivery retained = sink.take(1, true).get(0);
    assertThat(retained.retain()).isTrue();
    assertThat(retained.subscriptionIds()).containsExactly(42);

    BridgeSession publisher = open("pub", true);
    await(publisher.publish(publication("s/x", "live", false, "pub")));
    await(publisher.publish(publication("other", "none", false, "pub")));
    List<Delivery> live = sink.take(2, true);
    assertThat(live.get(0).subscriptionIds()).containsExactly(42);
    assertThat(live.get(1).subscriptionIds()).isEmpty();

    session.detach();
    await(publisher.publish(publication("s/x", "while away", false, "pub")));
    BridgeSession resumed = open("sub", false);
    RecordingSink resumedSink = new RecordingSink(resumed);
    resumed.attach(resumedSink);
    assertThat(resumedSink.take(1, true).get(0).subscriptionIds()).containsExactly(42);

    resumed.detach();
    bridge = broker.restart();
    await(open("pub", true).publish(publication("s/x", "after restart", false, "pub")));
    BridgeSession restarted = open("sub", false);
    RecordingSink restartedSink = new RecordingSink(restarted);
    restarted.attach(restartedSink);
    Delivery after = restartedSink.take(1, true).get(0);
    assertThat(text(after)).isEqualTo("after restart");
    assertThat(after.subscriptionIds()).containsExactly(42);
  }

  @Test
  void whenNoLocalIsStoredAndTheBrokerRestarts_thenItStillApplies() throws Exception {
    BridgeSession me = open("me", false);
    await(me.subscribe(List.of(options("t", true, true, 0, 0))));
    me.detach();
    bridge = broker.restart();
    BridgeSession resumed = open("me", false);
    RecordingSink sink = new RecordingSink(resumed);
    resumed.attach(sink);
    await(resumed.publish(publication("t", "own", true, "me")));
    await(open("other", true).publish(publication("t", "other", true, "other")));
    List<Delivery> got = sink.take(1, true);
    assertThat(got).extracting(SubscriptionOptionsSection3_8_3Test::text)
        .containsExactly("other");
    assertThat(got.get(0).retain()).as("Retain As Published kept too").isTrue();
  }
}

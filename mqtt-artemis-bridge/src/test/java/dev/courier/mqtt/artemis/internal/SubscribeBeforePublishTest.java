package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A SUBSCRIBE the bridge has received counts for every publication it receives afterwards, from
 * any client, although the subscription's queue is put in place on another thread (MQTT 5.0
 * section 3.8.4: once the server has the subscription it sends what matches it). What a client
 * that subscribes and another that publishes right after it (the Paho suites' request/response
 * and No Local tests) rely on.
 */
class SubscribeBeforePublishTest extends ArtemisTestSupport {

  SubscribeBeforePublishTest() {
    super(1000);
  }

  @Test
  void whenAnotherClientPublishesRightAfterASubscribe_thenTheSubscriberGetsIt_everyTime()
      throws Exception {
    BridgeSession publisher = open("pub", true);
    List<BridgeSession> subscribers = new ArrayList<>();
    List<CompletionStage<?>> published = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      BridgeSession subscriber = open("sub-" + i, i % 2 == 0);
      subscriber.attach(new RecordingSink(subscriber));
      subscribers.add(subscriber);
      // Not awaited: the publication arrives while the subscription is being put in place.
      subscriber.subscribe(List.of(new SubscriptionRequest("fresh/" + i, 1)));
      published.add(publisher.publish(publication("fresh/" + i, "m" + i, 1, false)));
    }
    for (CompletionStage<?> stage : published) {
      await(stage);
    }

    for (int i = 0; i < subscribers.size(); i++) {
      assertThat(new RecordingSink(subscribers.get(i)).take(1, true))
          .extracting(ArtemisTestSupport::text).as("subscriber %d", i).containsExactly("m" + i);
    }
  }

  @Test
  void whenSubscribesKeepComing_thenEachPublicationReachesTheSubscriptionsReceivedBeforeIt()
      throws Exception {
    BridgeSession publisher = open("pub", true);
    BridgeSession early = open("early", true);
    early.attach(new RecordingSink(early));
    early.subscribe(List.of(new SubscriptionRequest("stream", 1)));
    await(publisher.publish(publication("stream", "first", 1, false)));
    // Later SUBSCRIBEs, still in flight when "second" comes, all count for it.
    List<BridgeSession> late = IntStream.range(0, 10).mapToObj(i -> {
      try {
        BridgeSession session = open("late-" + i, true);
        session.attach(new RecordingSink(session));
        session.subscribe(List.of(new SubscriptionRequest("stream", 1)));
        return session;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).toList();
    await(publisher.publish(publication("stream", "second", 1, false)));

    assertThat(new RecordingSink(early).take(2, true)).extracting(ArtemisTestSupport::text)
        .containsExactly("first", "second");
    for (BridgeSession session : late) {
      assertThat(new RecordingSink(session).take(1, true)).extracting(ArtemisTestSupport::text)
          .containsExactly("second");
    }
  }
}

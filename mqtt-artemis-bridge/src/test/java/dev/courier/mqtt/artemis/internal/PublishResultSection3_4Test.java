package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.PublishResult;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.paging.PagingStore;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What the Artemis bridge says of a publication, for the MQTT 5.0 PUBACK/PUBREC reason code
 * (sections 3.4.2.1, 3.5.2.1): NO_MATCHING_SUBSCRIBERS when no queue took it (0x10; a retained
 * message is still stored), ACCEPTED when an MQTT subscription or a Core/JMS queue did, and
 * QUOTA_EXCEEDED (0x97, not kept) when its address is full under the FAIL policy.
 */
class PublishResultSection3_4Test extends ArtemisTestSupport {

  PublishResultSection3_4Test() {
    super(1000);
  }

  private static PublishResult result(BridgeSession session, String topic, int qos,
      boolean retain, int packetId) throws Exception {
    return session.route(publication(topic, "x", qos, retain), packetId).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void whenNoQueueTakesIt_thenNoMatchingSubscribers_atEveryQos_andARetainedOneIsStillStored()
      throws Exception {
    BridgeSession publisher = open("pub", true);

    assertThat(result(publisher, "nobody/0", 0, false, 0))
        .isEqualTo(PublishResult.NO_MATCHING_SUBSCRIBERS);
    assertThat(result(publisher, "nobody/1", 1, false, 0))
        .isEqualTo(PublishResult.NO_MATCHING_SUBSCRIBERS);
    assertThat(result(publisher, "nobody/2", 2, false, 7))
        .isEqualTo(PublishResult.NO_MATCHING_SUBSCRIBERS);
    assertThat(result(publisher, "nobody/kept", 1, true, 0))
        .isEqualTo(PublishResult.NO_MATCHING_SUBSCRIBERS);

    BridgeSession late = open("late", true);
    await(late.subscribe(List.of(new SubscriptionRequest("nobody/kept", 1))));
    assertThat(new RecordingSink(late).take(1, true)).extracting(ArtemisTestSupport::text)
        .containsExactly("x");
  }

  @Test
  void whenAnMqttSubscriptionOrACoreQueueTakesIt_thenAccepted() throws Exception {
    BridgeSession subscriber = open("sub", true);
    await(subscriber.subscribe(List.of(new SubscriptionRequest("heard/+", 1))));
    BridgeSession publisher = open("pub", true);
    assertThat(result(publisher, "heard/a", 1, false, 0)).isEqualTo(PublishResult.ACCEPTED);

    // A JMS/Core consumer's queue on the mapped address counts as a subscriber.
    String address = TopicMapping.toAddress("core/listens");
    broker.server().createQueue(QueueConfiguration.of("core-consumer").setAddress(address)
        .setRoutingType(RoutingType.MULTICAST).setDurable(false));
    assertThat(result(publisher, "core/listens", 0, false, 0)).isEqualTo(PublishResult.ACCEPTED);
  }

  @Test
  void whenTheAddressIsFullUnderFail_thenQuotaExceeded_andItIsNotKept() throws Exception {
    broker.server().getAddressSettingsRepository().addMatch("f.#", new AddressSettings()
        .setMaxSizeBytes(10_000).setAddressFullMessagePolicy(AddressFullMessagePolicy.FAIL));
    BridgeSession subscriber = open("away", false);
    await(subscriber.subscribe(List.of(new SubscriptionRequest("f/x", 1))));
    subscriber.detach();
    BridgeSession publisher = open("pub", true);
    PagingStore store = broker.server().getPagingManager()
        .getPageStore(SimpleString.of(TopicMapping.toAddress("f/x")));
    String big = "x".repeat(1000);
    int kept = 0;
    while (store.getAddressSize() < 10_000) {
      assertThat(kept).as("publications before the address is full").isLessThan(100);
      await(publisher.publish(publication("f/x", big, 1, false)));
      kept++;
    }

    PublishResult refused = publisher.route(publication("f/x", big, 1, false), 0)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(refused).isEqualTo(PublishResult.QUOTA_EXCEEDED);
    assertThat(refused.kept()).isFalse();
    // Artemis adds a routed reference to its queue after the journal write completes, on the
    // queue's executor, so the count of the accepted ones may lag the acknowledgements.
    int accepted = kept;
    Awaitility.await().atMost(10, TimeUnit.SECONDS)
        .untilAsserted(() -> assertThat(messagesInQueues()).isEqualTo(accepted));
    assertThat(messagesInQueues()).as("the refused one is not kept").isEqualTo(kept);
  }
}

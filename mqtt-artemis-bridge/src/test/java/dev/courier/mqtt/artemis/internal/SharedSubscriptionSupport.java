package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.Queue;
import org.awaitility.Awaitility;

/** What the shared-subscription tests share: members of group {@value #GROUP}, and taking. */
abstract class SharedSubscriptionSupport extends ArtemisTestSupport {

  /** The ShareName of the tests' group. */
  static final String GROUP = "g";

  SharedSubscriptionSupport() {
    super(1000);
  }

  /** {@code $share/g/{filter}} at {@code qos} with Subscription Identifier {@code id} (0: none). */
  static SubscriptionRequest shared(String filter, int qos, int id) {
    return new SubscriptionRequest(filter, qos, false, false, 0, id, GROUP);
  }

  /** Opens a session, attaches it and subscribes it as asked. */
  BridgeSession member(String clientId, boolean clean, SubscriptionRequest... requests)
      throws Exception {
    BridgeSession session = open(clientId, clean);
    session.attach(new RecordingSink(session));
    await(session.subscribe(List.of(requests)));
    return session;
  }

  /** The group's Artemis queue on {@code filter}, or null if there is none. */
  Queue groupQueue(String filter) {
    return broker.server().locateQueue(SimpleString.of(SharedGroups.queueName(GROUP, filter)));
  }

  /** The names of every group queue in Artemis. */
  List<String> groupQueues() {
    return broker.server().getPostOffice().getAllBindings()
        .map(binding -> binding.getUniqueName().toString())
        .filter(name -> name.startsWith(SharedGroups.PREFIX))
        .toList();
  }

  /** Publishes "m{from}" to "m{to - 1}" on {@code topic} at {@code qos}, from client "pub". */
  void publishRange(String topic, int from, int to, int qos) throws Exception {
    BridgeSession publisher = open("pub", true);
    for (int i = from; i < to; i++) {
      await(publisher.publish(publication(topic, "m" + i, qos, false)));
    }
    await(publisher.close());
  }

  /** "m{from}" to "m{to - 1}". */
  static List<String> range(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "m" + i).toList();
  }

  /**
   * Polls the sessions in turn, acknowledging QoS 1 and 2, until they got {@code count}
   * deliveries in all; then checks that none gets another and that {@code queue} is empty.
   *
   * @return each session's deliveries, in the order of {@code sessions}
   */
  static List<List<Delivery>> takeAll(int count, Queue queue, BridgeSession... sessions) {
    return takeAll(count, 0, queue, sessions);
  }

  /** As {@link #takeAll(int, Queue, BridgeSession...)}, leaving {@code left} in the queue. */
  static List<List<Delivery>> takeAll(int count, long left, Queue queue,
      BridgeSession... sessions) {
    List<List<Delivery>> got = new ArrayList<>();
    for (int i = 0; i < sessions.length; i++) {
      got.add(new ArrayList<>());
    }
    Awaitility.await().atMost(20, TimeUnit.SECONDS).pollInterval(5, TimeUnit.MILLISECONDS)
        .until(() -> {
          for (int i = 0; i < sessions.length; i++) {
            for (Delivery d; total(got) < count && (d = sessions[i].poll()) != null; ) {
              got.get(i).add(d);
              if (d.qos() > 0) {
                sessions[i].acknowledge(d.tag());
              }
            }
          }
          return total(got) >= count;
        });
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> {
      for (BridgeSession session : sessions) {
        assertThat(session.poll()).as("a delivery beyond the %d expected", count).isNull();
      }
      return queue.getMessageCount() == left;
    });
    return got;
  }

  private static int total(List<List<Delivery>> got) {
    return got.stream().mapToInt(List::size).sum();
  }

  static List<String> texts(Collection<Delivery> deliveries) {
    return deliveries.stream().map(ArtemisTestSupport::text).toList();
  }

  /** Every delivery of every session, in one list. */
  static List<Delivery> all(List<List<Delivery>> got) {
    return got.stream().flatMap(List::stream).toList();
  }
}

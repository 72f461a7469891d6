package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A durable publication to a persistent session's queue takes no more thread hops than its
 * storage needs: the thread that completes the journal write both completes the publication (the
 * PUBACK's cue) and hands the message to the attached, idle subscriber, instead of passing each to
 * one of Artemis's pool threads and, for the delivery, to the queue's executor after that.
 */
class PersistentDeliveryPathTest extends ArtemisTestSupport {

  PersistentDeliveryPathTest() {
    super(1000);
  }

  @Test
  void durablePublication_isCompletedAndDeliveredOnTheThreadThatStoredIt() throws Exception {
    BridgeSession subscriber = open("sub", false);
    ThreadSink sink = new ThreadSink();
    subscriber.attach(sink);
    await(subscriber.subscribe(List.of(new SubscriptionRequest("t", 1))));
    BridgeSession publisher = open("pub", true);

    Thread completedOn = null;
    // The completion is seen only if it comes after whenComplete is attached (a journal write
    // takes far longer than attaching, but a try that lost the race is simply repeated).
    for (int attempt = 0; attempt < 50 && completedOn == null; attempt++) {
      sink.reset();
      AtomicReference<Thread> thread = new AtomicReference<>();
      CompletableFuture<Void> done = publisher
          .publish(publication("t", "m" + attempt, 1, false)).toCompletableFuture();
      done.whenComplete((result, error) -> thread.set(Thread.currentThread()))
          .get(10, TimeUnit.SECONDS);
      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> sink.thread.get() != null);
      for (Delivery delivery : sink.drain(subscriber)) {
        subscriber.acknowledge(delivery.tag());
      }
      if (thread.get() != Thread.currentThread()) {
        completedOn = thread.get();
      }
    }

    assertThat(completedOn).as("a publication completed after whenComplete was attached")
        .isNotNull();
    assertThat(sink.thread.get()).as("the thread that delivered the last publication")
        .isSameAs(completedOn);
    // Artemis's pool threads are "Thread-<n> (activemq-<broker>)"; the journal's is its own
    assertThat(completedOn.getName()).as("not one of Artemis's pool threads")
        .doesNotMatch("Thread-\\d+ \\(activemq-.*");
  }

  /** Records the thread that signals a delivery. */
  private static final class ThreadSink implements DeliverySink {
    final AtomicReference<Thread> thread = new AtomicReference<>();

    @Override
    public void messagesAvailable() {
      thread.compareAndSet(null, Thread.currentThread());
    }

    void reset() {
      thread.set(null);
    }

    List<Delivery> drain(BridgeSession session) {
      List<Delivery> all = new ArrayList<>();
      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> {
        for (Delivery d; (d = session.poll()) != null; ) {
          all.add(d);
        }
        return !all.isEmpty();
      });
      return all;
    }
  }
}

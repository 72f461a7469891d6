package dev.courier.mqtt.transport.internal.bridge.memory;

import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.Client;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shared subscriptions under concurrent publishers (MQTT 5.0 section 4.8.2): every message reaches
 * exactly one member, also while a member keeps leaving and rejoining the group, detaching and
 * reattaching, and then ends, its deliveries handed to the others as it goes.
 */
class SharedSubscriptionConcurrencyTest {

  private static final int PUBLISHERS = 4;
  private static final int PER_PUBLISHER = 2_500;
  private static final int TOTAL = PUBLISHERS * PER_PUBLISHER;
  private static final int ROOMY = 1_000_000;
  /** Polls per step of the restless member: the queue may fill as fast as it is polled. */
  private static final int CHURN_POLLS = 100;
  /** Rounds of leaving and rejoining (even) or detaching and reattaching (odd). */
  private static final int CHURN_ROUNDS = 8;
  /** How far publishers without a bound may run ahead of the consumers. */
  private static final int AHEAD = 5_000;

  private final BridgeFixture fixture = new BridgeFixture();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  /** Payload to how many times a member polled it. */
  private final ConcurrentHashMap<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final AtomicInteger polled = new AtomicInteger();
  private final AtomicBoolean publishing = new AtomicBoolean(true);
  private final AtomicBoolean churning = new AtomicBoolean(true);

  @AfterEach
  void close() throws InterruptedException {
    publishing.set(false);
    churning.set(false);
    threads.shutdownNow();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    fixture.close();
  }

  @Test
  void whenSeveralThreadsPublish_thenEachMessageReachesExactlyOneMember_inEvenShares()
      throws Exception {
    List<AtomicInteger> shares = new ArrayList<>();
    for (int m = 0; m < 3; m++) {
      Client member = fixture.connect("member-" + m, true, 0, ROOMY);
      member.subscribe(shared("g", "t/+", 1, false, 0));
      AtomicInteger share = new AtomicInteger();
      shares.add(share);
      threads.submit(() -> consume(member, share));
    }

    publishConcurrently();

    await().atMost(Duration.ofSeconds(30)).until(() -> polled.get() >= TOTAL);
    assertExactlyOnce(TOTAL);
    // Every member is always ready, so the round robin alone decides: shares differ by one at most.
    assertThat(shares).allSatisfy(share -> assertThat(share.get()).isBetween(
        TOTAL / 3, TOTAL / 3 + 1));
  }

  @Test
  void whenAMemberChurnsAndThenEndsWhilePublishersRun_thenStillExactlyOnce() throws Exception {
    for (int m = 0; m < 2; m++) {
      Client member = fixture.connect("member-" + m, true, 0, ROOMY);
      member.subscribe(shared("g", "t/+", 1, false, 0));
      threads.submit(() -> consume(member, new AtomicInteger()));
    }
    Client restless = fixture.connect("restless", false, 3600, ROOMY);
    restless.subscribe(shared("g", "t/+", 1, false, 0));
    AtomicInteger rounds = new AtomicInteger();
    AtomicInteger restlessShare = new AtomicInteger();
    Future<?> churn = threads.submit(() -> churn(restless, rounds, restlessShare));
    AtomicInteger published = new AtomicInteger();
    List<Future<?>> publishers = publishUntilStopped(published);

    // The restless member leaves, rejoins, detaches, reattaches, then ends, all while publishers
    // run; they go on a while after it ended.
    await().atMost(Duration.ofSeconds(60)).until(() -> rounds.get() >= CHURN_ROUNDS);
    churning.set(false);
    churn.get(30, TimeUnit.SECONDS);
    int atEnd = published.get();
    await().atMost(Duration.ofSeconds(30)).until(() -> published.get() >= atEnd + PER_PUBLISHER);
    publishing.set(false);
    for (Future<?> publisher : publishers) {
      publisher.get(30, TimeUnit.SECONDS);
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> polled.get() >= published.get());
    assertExactlyOnce(published.get());
    assertThat(restlessShare.get()).isGreaterThanOrEqualTo(CHURN_ROUNDS);
    assertThat(fixture.bridge.sharedGroups().group("$share/g/t/+").size()).isEqualTo(2);
  }

  /**
   * Alternately unsubscribes and resubscribes, or detaches and reattaches, polling throughout,
   * until told to stop; then ends the session while it holds queued deliveries.
   */
  private void churn(Client restless, AtomicInteger rounds, AtomicInteger share) {
    for (int round = 0; churning.get(); round++) {
      // A member again: take part until the group has given it something.
      while (churning.get() && poll(restless, share, CHURN_POLLS) == 0) {
        LockSupport.parkNanos(50_000);
      }
      if (round % 2 == 0) {
        restless.unsubscribe("$share/g/t/+");
        poll(restless, share, CHURN_POLLS); // what the others could not take stays here
        restless.subscribe(shared("g", "t/+", 1, false, 0));
      } else {
        restless.session.detach();
        restless.session.attach(restless.sink);
      }
      rounds.incrementAndGet();
    }
    // End while publishers run and something is queued here: the others get it.
    while (restless.queued() == 0 && !Thread.currentThread().isInterrupted()) {
      LockSupport.parkNanos(50_000);
    }
    restless.session.close();
  }

  private void consume(Client member, AtomicInteger share) {
    while (!Thread.currentThread().isInterrupted()) {
      if (poll(member, share, Integer.MAX_VALUE) == 0) {
        LockSupport.parkNanos(100_000); // a consumer thread with nothing to do
      }
    }
  }

  /** Polls and acknowledges what is queued now, at most {@code max}; returns how many. */
  private int poll(Client member, AtomicInteger share, int max) {
    int n = 0;
    for (Delivery next; n < max && (next = member.session.poll()) != null; ) {
      member.session.acknowledge(next.tag());
      received.computeIfAbsent(BridgeFixture.text(next), text -> new AtomicInteger())
          .incrementAndGet();
      share.incrementAndGet();
      polled.incrementAndGet();
      n++;
    }
    return n;
  }

  private void publishConcurrently() throws Exception {
    List<Future<?>> publishers = new ArrayList<>();
    for (int p = 0; p < PUBLISHERS; p++) {
      Client publisher = fixture.connect("pub-" + p);
      int id = p;
      publishers.add(threads.submit(() -> {
        for (int i = 0; i < PER_PUBLISHER; i++) {
          publisher.publish("t/" + id, id + ":" + i);
        }
      }));
    }
    for (Future<?> publisher : publishers) {
      publisher.get(60, TimeUnit.SECONDS);
    }
  }

  /** Publishers that go on until {@link #publishing} is cleared, counting what they published. */
  private List<Future<?>> publishUntilStopped(AtomicInteger published) {
    List<Future<?>> publishers = new ArrayList<>();
    for (int p = 0; p < PUBLISHERS; p++) {
      Client publisher = fixture.connect("pub-" + p);
      int id = p;
      publishers.add(threads.submit(() -> {
        for (int i = 0; publishing.get(); i++) {
          publisher.publish("t/" + id, id + ":" + i);
          published.incrementAndGet();
          while (publishing.get() && published.get() - polled.get() > AHEAD) {
            LockSupport.parkNanos(100_000); // let the consumers catch up
          }
        }
      }));
    }
    return publishers;
  }

  private void assertExactlyOnce(int total) {
    assertThat(polled.get()).isEqualTo(total);
    assertThat(received).hasSize(total);
    assertThat(received.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
    assertThat(fixture.bridge.droppedMessages()).isZero();
  }
}

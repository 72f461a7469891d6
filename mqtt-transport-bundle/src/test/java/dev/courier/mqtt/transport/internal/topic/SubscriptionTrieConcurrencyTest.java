package dev.courier.mqtt.transport.internal.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Subscribers churn (put and remove, which prunes) while publishers match: matching never throws
 * and always finds the entries that stay in place the whole time.
 */
class SubscriptionTrieConcurrencyTest {

  private static final String STABLE_KEY = "stable";
  /** Present during the whole test. */
  private static final List<String> STABLE_FILTERS = List.of(
      "a/b", "a/+", "a/#", "#", "+/b/c", "a/b/c", "$SYS/x", "$SYS/#", "/");
  /** Added and removed concurrently; they share nodes and prefixes with the stable filters. */
  private static final List<String> CHURN_FILTERS = List.of(
      "a/b", "a/b/c", "a/b/c/d", "a/b/x", "a/+/c", "a/+", "+/b", "a/b/#", "#", "$SYS/x/y",
      "$SYS/x", "q/r/s", "/", "//", "+/+/+/+");
  private static final List<String> TOPICS = List.of(
      "a/b", "a/b/c", "a/b/c/d", "x/b/c", "$SYS/x", "$SYS/x/y", "/", "q/r/s");

  private static final int WRITERS = 3;
  private static final int READERS = 3;
  private static final int WRITES_PER_WRITER = 30_000;
  private static final int MIN_READS_PER_READER = 2_000;

  @Test
  void whenWritersChurnWhileReadersMatch_thenStableEntriesAreAlwaysFoundAndNothingThrows()
      throws InterruptedException {
    SubscriptionTrie<String, String> trie = new SubscriptionTrie<>();
    STABLE_FILTERS.forEach(filter -> trie.put(filter, STABLE_KEY, filter));
    Map<String, List<String>> expectedStable = TOPICS.stream().collect(Collectors.toMap(
        topic -> topic,
        topic -> STABLE_FILTERS.stream()
            .filter(filter -> TopicSyntax.matches(filter, topic))
            .sorted()
            .toList()));

    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    Queue<String> misses = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    // Writers keep churning until every reader has completed a read, so reads surely overlap.
    CountDownLatch readersWarmedUp = new CountDownLatch(READERS);
    CountDownLatch writersDone = new CountDownLatch(WRITERS);
    CountDownLatch allDone = new CountDownLatch(WRITERS + READERS);
    AtomicBoolean churning = new AtomicBoolean(true);
    AtomicInteger readsWhileChurning = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();

    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      threads.add(new Thread(() -> {
        try {
          start.await();
          Random random = new Random(writer);
          for (int i = 0; i < WRITES_PER_WRITER || readersWarmedUp.getCount() > 0; i++) {
            String filter = CHURN_FILTERS.get(random.nextInt(CHURN_FILTERS.size()));
            String key = "churn-" + writer + "-" + random.nextInt(3);
            if (random.nextBoolean()) {
              trie.put(filter, key, filter);
            } else {
              trie.remove(filter, key);
            }
          }
          // Leave only the stable entries behind.
          for (String filter : CHURN_FILTERS) {
            for (int k = 0; k < 3; k++) {
              trie.remove(filter, "churn-" + writer + "-" + k);
            }
          }
        } catch (Throwable t) {
          failures.add(t);
        } finally {
          writersDone.countDown();
          allDone.countDown();
        }
      }, "trie-writer-" + w));
    }
    for (int r = 0; r < READERS; r++) {
      threads.add(new Thread(() -> {
        try {
          start.await();
          int reads = 0;
          while (churning.get() || reads < MIN_READS_PER_READER) {
            for (String topic : TOPICS) {
              List<String> stableSeen = new ArrayList<>();
              trie.match(topic, (key, value) -> {
                if (STABLE_KEY.equals(key)) {
                  stableSeen.add(value);
                }
              });
              stableSeen.sort(null);
              if (!stableSeen.equals(expectedStable.get(topic))) {
                misses.add(topic + " -> " + stableSeen);
              }
            }
            if (reads == 0) {
              readersWarmedUp.countDown();
            }
            reads++;
            if (churning.get()) {
              readsWhileChurning.incrementAndGet();
            }
          }
        } catch (Throwable t) {
          failures.add(t);
          // Do not keep writers waiting for a reader that died; the test fails anyway.
          readersWarmedUp.countDown();
        } finally {
          allDone.countDown();
        }
      }, "trie-reader-" + r));
    }

    threads.forEach(thread -> {
      thread.setDaemon(true);
      thread.start();
    });
    start.countDown();
    assertThat(writersDone.await(2, TimeUnit.MINUTES)).as("writers finished").isTrue();
    churning.set(false);
    assertThat(allDone.await(2, TimeUnit.MINUTES)).as("readers finished").isTrue();

    assertThat(failures).isEmpty();
    assertThat(misses).as("stable entries missed by a concurrent match").isEmpty();
    assertThat(readsWhileChurning).as("reads overlapping the churn").hasPositiveValue();
    // Every churn entry is gone and pruning left exactly the stable structure.
    SubscriptionTrie<String, String> stableOnly = new SubscriptionTrie<>();
    STABLE_FILTERS.forEach(filter -> stableOnly.put(filter, STABLE_KEY, filter));
    assertThat(trie.size()).isEqualTo(STABLE_FILTERS.size());
    assertThat(trie.nodeCount()).isEqualTo(stableOnly.nodeCount());
  }
}

package dev.courier.mqtt.transport.spi.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.topic.TopicSyntax;
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
 * Publishers retain and clear messages (which prunes) while subscribers match: matching never
 * throws and always finds the retained messages that stay in place the whole time.
 */
class RetainedIndexConcurrencyTest {

  /** Retained during the whole test; the value is the topic name. */
  private static final List<String> STABLE_TOPICS = List.of("a/b", "a/b/c/d", "$SYS/x", "/", "a");
  /** Retained and cleared concurrently; they share nodes and prefixes with the stable topics. */
  private static final List<String> CHURN_TOPICS = List.of(
      "a/b/c", "a/b/c/d/e", "a/x", "a/b/x", "$SYS/x/y", "$SYS", "//", "/a", "q/r/s", "a/");
  private static final List<String> FILTERS = List.of(
      "#", "a/#", "a/b/#", "a/+", "+/+", "$SYS/#", "+/b/c/d", "a/b", "/", "+");

  private static final int WRITERS = 3;
  private static final int READERS = 3;
  private static final int WRITES_PER_WRITER = 30_000;
  private static final int MIN_READS_PER_READER = 2_000;

  @Test
  void whenWritersChurnWhileReadersMatch_thenStableValuesAreAlwaysFoundAndNothingThrows()
      throws InterruptedException {
    RetainedIndex<String> index = new RetainedIndex<>();
    STABLE_TOPICS.forEach(topic -> index.put(topic, topic));
    Map<String, List<String>> expectedStable = FILTERS.stream().collect(Collectors.toMap(
        filter -> filter,
        filter -> STABLE_TOPICS.stream()
            .filter(topic -> TopicSyntax.matches(filter, topic))
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
            String topic = CHURN_TOPICS.get(random.nextInt(CHURN_TOPICS.size()));
            if (random.nextBoolean()) {
              // Churn values carry a marker so that readers can tell them apart.
              index.put(topic, "churn:" + topic);
            } else {
              index.remove(topic);
            }
          }
          CHURN_TOPICS.forEach(index::remove);
        } catch (Throwable t) {
          failures.add(t);
        } finally {
          writersDone.countDown();
          allDone.countDown();
        }
      }, "retained-writer-" + w));
    }
    for (int r = 0; r < READERS; r++) {
      threads.add(new Thread(() -> {
        try {
          start.await();
          int reads = 0;
          while (churning.get() || reads < MIN_READS_PER_READER) {
            for (String filter : FILTERS) {
              List<String> stableSeen = new ArrayList<>();
              index.match(filter, value -> {
                if (!value.startsWith("churn:")) {
                  stableSeen.add(value);
                }
              });
              stableSeen.sort(null);
              if (!stableSeen.equals(expectedStable.get(filter))) {
                misses.add(filter + " -> " + stableSeen);
              }
            }
            for (String topic : STABLE_TOPICS) {
              if (!topic.equals(index.get(topic))) {
                misses.add("get " + topic);
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
      }, "retained-reader-" + r));
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
    assertThat(misses).as("stable values missed by a concurrent read").isEmpty();
    assertThat(readsWhileChurning).as("reads overlapping the churn").hasPositiveValue();
    RetainedIndex<String> stableOnly = new RetainedIndex<>();
    STABLE_TOPICS.forEach(topic -> stableOnly.put(topic, topic));
    assertThat(index.size()).isEqualTo(STABLE_TOPICS.size());
    assertThat(index.nodeCount()).isEqualTo(stableOnly.nodeCount());
  }
}

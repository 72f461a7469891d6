package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tasks for another loop's connections, signalled during one turn of a loop, reach that loop
 * together when the turn is over: one hand-over (one wake-up) per read, not one per message.
 */
class LoopHandOffTest {

  /** A loop that counts the tasks given to it from elsewhere. */
  private static final class CountingLoop extends DefaultEventLoop {
    final AtomicInteger handedOver = new AtomicInteger();

    @Override
    public void execute(Runnable task) {
      if (!inEventLoop()) {
        handedOver.incrementAndGet();
      }
      super.execute(task);
    }
  }

  private final CountingLoop publisherLoop = new CountingLoop();
  private final CountingLoop subscriberLoop = new CountingLoop();
  private final CountingLoop otherLoop = new CountingLoop();
  private final LoopHandOff handOff = new LoopHandOff(
      new EventExecutor[] {publisherLoop, subscriberLoop, otherLoop});
  private final List<String> ran = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopLoops() {
    publisherLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    subscriberLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    otherLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @Test
  void whenALoopSignalsAnotherLoopDuringATask_thenNothingIsHandedOverBeforeTheTaskEnds()
      throws Exception {
    CountDownLatch firstRan = new CountDownLatch(1);
    AtomicInteger handedOverDuringTheTask = new AtomicInteger(-1);
    AtomicInteger ranDuringTheTask = new AtomicInteger(-1);
    int before = subscriberLoop.handedOver.get();
    publisherLoop.execute(() -> {
      for (int i = 0; i < 5; i++) {
        String name = "delivery-" + i;
        handOff.execute(subscriberLoop, () -> {
          ran.add(name);
          firstRan.countDown();
        });
      }
      try {
        // Handed over at once, the first would run on the other loop meanwhile.
        ranDuringTheTask.set(firstRan.await(200, TimeUnit.MILLISECONDS) ? 1 : 0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      handedOverDuringTheTask.set(subscriberLoop.handedOver.get() - before);
    });

    await().atMost(5, TimeUnit.SECONDS).until(() -> ran.size() == 5);
    assertThat(ranDuringTheTask.get()).isZero();
    assertThat(handedOverDuringTheTask.get()).isZero();
    assertThat(ran).containsExactly("delivery-0", "delivery-1", "delivery-2", "delivery-3",
        "delivery-4");
  }

  @Test
  void whenSignalsForTwoLoopsAreGathered_thenEachLoopGetsItsOwnInOrder() {
    publisherLoop.execute(() -> {
      handOff.execute(subscriberLoop, () -> ran.add("s1"));
      handOff.execute(otherLoop, () -> ran.add("o1"));
      handOff.execute(subscriberLoop, () -> ran.add("s2"));
      handOff.execute(otherLoop, () -> ran.add("o2"));
    });

    await().atMost(5, TimeUnit.SECONDS).until(() -> ran.size() == 4);
    assertThat(ran.stream().filter(name -> name.startsWith("s"))).containsExactly("s1", "s2");
    assertThat(ran.stream().filter(name -> name.startsWith("o"))).containsExactly("o1", "o2");
  }

  @Test
  void whenTheLoopSignalsAgainInALaterTurn_thenThatTurnsSignalsAreHandedOverToo() {
    for (int turn = 0; turn < 3; turn++) {
      String name = "turn-" + turn;
      publisherLoop.execute(() -> handOff.execute(subscriberLoop, () -> ran.add(name)));
    }

    await().atMost(5, TimeUnit.SECONDS).until(() -> ran.size() == 3);
    assertThat(ran).containsExactly("turn-0", "turn-1", "turn-2");
  }

  @Test
  void whenAThreadThatIsNoLoopSignals_thenTheTaskIsHandedOverAtOnce() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    int before = subscriberLoop.handedOver.get();

    handOff.execute(subscriberLoop, done::countDown);

    assertThat(subscriberLoop.handedOver.get() - before).isEqualTo(1);
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void whenALoopSignalsItsOwnConnection_thenTheTaskRunsAfterTheCurrentOneOnThatLoop() {
    publisherLoop.execute(() -> {
      handOff.execute(publisherLoop, () -> ran.add("own:" + publisherLoop.inEventLoop()));
      ran.add("current");
    });

    await().atMost(5, TimeUnit.SECONDS).until(() -> ran.size() == 2);
    assertThat(ran).containsExactly("current", "own:true");
  }

  @Test
  void whenOneTargetLoopIsStopping_thenTheOthersStillGetTheirTasks() throws Exception {
    otherLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    publisherLoop.execute(() -> {
      handOff.execute(otherLoop, () -> ran.add("lost"));
      handOff.execute(subscriberLoop, () -> ran.add("delivered"));
    });

    await().atMost(5, TimeUnit.SECONDS).until(() -> ran.contains("delivered"));
    assertThat(ran).containsExactly("delivered");
  }

  @Test
  void whenTheHandOffIsDirect_thenALoopsSignalIsHandedOverAtOnce() throws Exception {
    CountDownLatch ranMeanwhile = new CountDownLatch(1);
    AtomicInteger seen = new AtomicInteger(-1);
    publisherLoop.execute(() -> {
      LoopHandOff.DIRECT.execute(subscriberLoop, ranMeanwhile::countDown);
      try {
        seen.set(ranMeanwhile.await(5, TimeUnit.SECONDS) ? 1 : 0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    await().atMost(10, TimeUnit.SECONDS).until(() -> seen.get() != -1);
    assertThat(seen.get()).isEqualTo(1);
  }
}

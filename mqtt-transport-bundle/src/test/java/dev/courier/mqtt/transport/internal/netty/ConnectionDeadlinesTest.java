package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-loop deadline queue: each connection is told once its deadline has come, not before,
 * in deadline order; one taken off is never told; the loop holds no task once nothing waits.
 */
class ConnectionDeadlinesTest {

  private final EmbeddedChannel channel = new EmbeddedChannel();
  private long nanos;
  private final ConnectionDeadlines deadlines = new ConnectionDeadlines(() -> nanos, 10);
  private final List<Connection> told = new ArrayList<>();

  ConnectionDeadlinesTest() {
    channel.freezeTime();
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private final class Connection implements ConnectionDeadlines.Waiting {
    private final long deadline;
    private int slot = -1;
    private long toldAt = -1;

    Connection(long deadline) {
      this.deadline = deadline;
    }

    @Override
    public long deadline() {
      return deadline;
    }

    @Override
    public int slot() {
      return slot;
    }

    @Override
    public void slot(int index) {
      slot = index;
    }

    @Override
    public void deadlineReached(long now) {
      assertThat(toldAt).as("told once").isEqualTo(-1);
      toldAt = now;
      told.add(this);
    }
  }

  private void advance(long amount) {
    nanos += amount;
    channel.advanceTimeBy(amount, TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
  }

  private ConnectionDeadlines.Loop loop() {
    return deadlines.on(channel.eventLoop());
  }

  @Test
  void whenManyWaitInAnyOrder_thenEachIsToldAtItsDeadlineInOrder_andTakenOffOnesNever() {
    Random random = new Random(42);
    List<Connection> all = new ArrayList<>();
    List<Connection> removed = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      Connection connection = new Connection(1 + random.nextInt(10_000));
      all.add(connection);
      loop().add(connection);
    }
    for (int i = 0; i < all.size(); i += 3) {
      loop().remove(all.get(i));
      removed.add(all.get(i));
    }

    for (long t = 0; t < 10_001; t += 1 + random.nextInt(50)) {
      advance(1 + random.nextInt(50));
      for (Connection connection : told) {
        assertThat(connection.toldAt).isGreaterThanOrEqualTo(connection.deadline);
      }
    }
    advance(10_000);

    assertThat(told).hasSize(all.size() - removed.size()).doesNotContainAnyElementsOf(removed);
    for (int i = 1; i < told.size(); i++) {
      assertThat(told.get(i).deadline).isGreaterThanOrEqualTo(told.get(i - 1).deadline);
    }
    assertThat(loop().size()).isZero();
  }

  @Test
  void whenDeadlineIsAtNanosecondPrecision_thenNotToldOneNanosecondEarly() {
    Connection connection = new Connection(1_000);
    loop().add(connection);
    Connection earlier = new Connection(400); // the wake-up moves forward for it
    loop().add(earlier);

    advance(399);
    assertThat(told).isEmpty();
    advance(1);
    assertThat(told).containsExactly(earlier);
    advance(599);
    assertThat(told).containsExactly(earlier);
    advance(1);
    assertThat(told).containsExactly(earlier, connection);
  }

  @Test
  void whenTheLastOneIsTakenOff_thenTheLoopHoldsNoTask() {
    Connection connection = new Connection(1_000);
    loop().add(connection);
    assertThat(loop().timerPending()).isTrue();

    loop().remove(connection);
    loop().remove(connection); // twice: no harm

    assertThat(connection.slot()).isEqualTo(-1);
    assertThat(loop().timerPending()).as("its wake-up cancelled").isFalse();
    advance(2_000);
    assertThat(told).isEmpty();
  }
}

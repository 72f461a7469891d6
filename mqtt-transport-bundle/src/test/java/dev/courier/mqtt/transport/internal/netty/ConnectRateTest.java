package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.protocol.context.LogThrottle;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@code maxConnectRate}'s bucket: one second's worth at once, then the rate, on a test clock. */
class ConnectRateTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final LogThrottle refusals = new LogThrottle(now::get);

  private ConnectRate rate(int perSecond) {
    return new ConnectRate(perSecond, now::get, refusals);
  }

  private static int admitted(ConnectRate rate, int attempts) {
    int admitted = 0;
    for (int i = 0; i < attempts; i++) {
      if (!rate.refusesNew()) {
        admitted++;
      }
    }
    return admitted;
  }

  @Test
  void whenASecondsWorthComesAtOnce_thenAllAreAdmitted_andTheNextIsRefused() {
    ConnectRate rate = rate(5);

    assertThat(admitted(rate, 5)).isEqualTo(5);
    assertThat(rate.refusesNew()).isTrue();
    assertThat(rate.refusesNew()).as("a refusal takes no token back").isTrue();
  }

  @Test
  void whenOneIntervalHasPassed_thenOneMoreIsAdmitted() {
    ConnectRate rate = rate(5);
    admitted(rate, 5);

    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(200) - 1);
    assertThat(rate.refusesNew()).as("not quite an interval").isTrue();
    now.addAndGet(1);
    assertThat(rate.refusesNew()).isFalse();
    assertThat(rate.refusesNew()).isTrue();
  }

  @Test
  void whenIdleForLong_thenTheBurstIsStillOneSecondsWorth() {
    ConnectRate rate = rate(5);
    now.addAndGet(TimeUnit.SECONDS.toNanos(60));

    assertThat(admitted(rate, 10)).isEqualTo(5);
  }

  @Test
  void whenConnectionsComeAtTheRate_thenEveryOneIsAdmitted() {
    ConnectRate rate = rate(20_000);
    admitted(rate, 20_000);
    for (int i = 0; i < 100_000; i++) {
      now.addAndGet(TimeUnit.SECONDS.toNanos(1) / 20_000);
      assertThat(rate.refusesNew()).as("connection %d", i).isFalse();
    }
  }

  @Test
  void whenTheNanoClockWrapsAround_thenTheBucketStillWorks() {
    now.set(Long.MAX_VALUE - TimeUnit.MILLISECONDS.toNanos(100));
    ConnectRate rate = rate(5);
    assertThat(admitted(rate, 6)).isEqualTo(5);

    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(400)); // past Long.MAX_VALUE: negative now
    assertThat(now.get()).isNegative();
    assertThat(admitted(rate, 3)).isEqualTo(2);
  }

  @Test
  void whenManyThreadsAdmitAtOnce_thenExactlyASecondsWorthGetsIn() throws Exception {
    ConnectRate rate = rate(1_000);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> counts = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        counts.add(pool.submit(() -> {
          start.await();
          return admitted(rate, 1_000);
        }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> count : counts) {
        total += count.get(30, TimeUnit.SECONDS);
      }
      assertThat(total).isEqualTo(1_000);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void whenRefused_thenCounted_andAnsweredConnectionRateExceeded() {
    ConnectRate rate = rate(1);
    rate.refused("a");
    rate.refused("b");

    assertThat(refusals.total()).isEqualTo(2);
    assertThat(refusals.unlogged()).as("the first was logged at once").isEqualTo(1);
    assertThat(rate.mqtt5Code())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_CONNECTION_RATE_EXCEEDED);
    assertThat(rate.mqtt5Code().byteValue()).isEqualTo((byte) 0x9F);
  }
}

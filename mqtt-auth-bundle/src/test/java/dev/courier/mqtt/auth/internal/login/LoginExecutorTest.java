package dev.courier.mqtt.auth.internal.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoginExecutorTest {

  private final LoginExecutor executor = new LoginExecutor(1, 1);

  @AfterEach
  void shutdown() {
    executor.shutdown();
  }

  @Test
  void whenThreadsAndQueueFull_thenRefusedUntilRoomAgain() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(2);
    Runnable blocking = () -> {
      started.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      done.countDown();
    };

    assertThat(executor.tryExecute(blocking)).isTrue();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(executor.tryExecute(done::countDown)).isTrue(); // waits in the queue
    assertThat(executor.tryExecute(() -> { })).isFalse();

    release.countDown();
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();

    CountDownLatch again = new CountDownLatch(1);
    assertThat(executor.tryExecute(again::countDown)).isTrue();
    assertThat(again.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void whenResizedLarger_thenMoreAdmitted() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Runnable blocking = () -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    executor.resize(2, 1);

    assertThat(executor.tryExecute(blocking)).isTrue();
    assertThat(executor.tryExecute(blocking)).isTrue();
    assertThat(executor.tryExecute(blocking)).isTrue();
    assertThat(executor.tryExecute(blocking)).isFalse();
    release.countDown();
  }
}

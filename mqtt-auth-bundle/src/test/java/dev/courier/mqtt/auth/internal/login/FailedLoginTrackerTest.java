package dev.courier.mqtt.auth.internal.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailedLoginTrackerTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final FailedLoginTracker tracker = new FailedLoginTracker(now::get, 100);

  @Test
  void whenConsecutiveFailures_thenDelayDoublesUpToCap() {
    assertThat(tracker.recordFailure("c", "10.0.0.1", 200, 5000)).isEqualTo(200);
    assertThat(tracker.recordFailure("c", "10.0.0.1", 200, 5000)).isEqualTo(400);
    assertThat(tracker.recordFailure("c", "10.0.0.1", 200, 5000)).isEqualTo(800);
    assertThat(tracker.recordFailure("c", "10.0.0.1", 200, 5000)).isEqualTo(1600);
    assertThat(tracker.recordFailure("c", "10.0.0.1", 200, 5000)).isEqualTo(3200);
    assertThat(tracker.recordFailure("c", "10.0.0.1", 200, 5000)).isEqualTo(5000);
    for (int i = 0; i < 100; i++) {
      assertThat(tracker.recordFailure("c", "10.0.0.1", 200, 5000)).isEqualTo(5000);
    }
  }

  @Test
  void whenClientIdChangesButAddressStays_thenAddressKeepsCounting() {
    tracker.recordFailure("c1", "10.0.0.1", 200, 5000);
    tracker.recordFailure("c2", "10.0.0.1", 200, 5000);

    assertThat(tracker.recordFailure("c3", "10.0.0.1", 200, 5000)).isEqualTo(800);
  }

  @Test
  void whenAddressChangesButClientIdStays_thenClientIdKeepsCounting() {
    tracker.recordFailure("c", "10.0.0.1", 200, 5000);
    tracker.recordFailure("c", "10.0.0.2", 200, 5000);

    assertThat(tracker.recordFailure("c", "10.0.0.3", 200, 5000)).isEqualTo(800);
  }

  @Test
  void whenSuccess_thenBothKeysReset() {
    tracker.recordFailure("c", "10.0.0.1", 200, 5000);
    tracker.recordFailure("c", "10.0.0.1", 200, 5000);

    tracker.recordSuccess("c", "10.0.0.1");

    assertThat(tracker.size()).isZero();
    assertThat(tracker.recordFailure("c", "10.0.0.1", 200, 5000)).isEqualTo(200);
  }

  @Test
  void whenQuietForLong_thenCountStartsAgain() {
    tracker.recordFailure("c", "10.0.0.1", 200, 5000);
    tracker.recordFailure("c", "10.0.0.1", 200, 5000);

    now.addAndGet(FailedLoginTracker.FORGET_AFTER_MS + 1);

    assertThat(tracker.recordFailure("c", "10.0.0.1", 200, 5000)).isEqualTo(200);
  }

  @Test
  void whenManyDistinctKeys_thenSizeStaysBoundedByEviction() {
    for (int i = 0; i < 1000; i++) {
      tracker.recordFailure("client-" + i, "10.0." + (i / 256) + "." + (i % 256), 200, 5000);
    }

    assertThat(tracker.size()).isEqualTo(100);
    assertThat(tracker.evictions()).isEqualTo(1900);
  }

  @Test
  void whenBaseIsZero_thenNoDelay() {
    assertThat(tracker.recordFailure("c", "", 0, 0)).isZero();
    assertThat(FailedLoginTracker.delay(40, 200, Long.MAX_VALUE)).isPositive();
  }

  @Test
  void whenSameHostFromOtherSourcePorts_thenCountedTogether() {
    tracker.recordFailure("c1", "/192.0.2.7:50000", 200, 5000);
    tracker.recordFailure("c2", "/192.0.2.7:50001", 200, 5000);

    assertThat(tracker.recordFailure("c3", "/192.0.2.7:50002", 200, 5000)).isEqualTo(800);
  }

  @Test
  void whenAddressFormatsVary_thenHostExtracted() {
    assertThat(FailedLoginTracker.hostOf("/192.0.2.7:50000")).isEqualTo("192.0.2.7");
    assertThat(FailedLoginTracker.hostOf("client.example/192.0.2.7:50000"))
        .isEqualTo("192.0.2.7");
    assertThat(FailedLoginTracker.hostOf("/0:0:0:0:0:0:0:1:50000")).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(FailedLoginTracker.hostOf("[2001:db8::1]:50000")).isEqualTo("2001:db8::1");
    assertThat(FailedLoginTracker.hostOf("192.0.2.7:50000")).isEqualTo("192.0.2.7");
    assertThat(FailedLoginTracker.hostOf("2001:db8::1")).isEqualTo("2001:db8::1");
    assertThat(FailedLoginTracker.hostOf("192.0.2.7")).isEqualTo("192.0.2.7");
  }
}

package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SubscriptionFenceTest {

  private final SubscriptionFence fence = new SubscriptionFence();

  @Test
  void whenNoChangeIsInFlight_thenAPublicationIsOpen() {
    assertThat(fence.ticket()).isEqualTo(SubscriptionFence.OPEN);
    fence.end(fence.begin());
    assertThat(fence.ticket()).isEqualTo(SubscriptionFence.OPEN);
    assertThat(fence.passedOrLater(SubscriptionFence.OPEN, () -> {
      throw new AssertionError("an open ticket never waits");
    })).isTrue();
  }

  @Test
  void whenAChangeIsInFlight_thenAPublicationWaitsForIt_andIsWokenOnceWhenItEnds() {
    long change = fence.begin();
    long publication = fence.ticket();
    AtomicInteger woken = new AtomicInteger();

    assertThat(fence.passedOrLater(publication, woken::incrementAndGet)).isFalse();
    assertThat(woken).hasValue(0);
    fence.end(change);

    assertThat(woken).hasValue(1);
    assertThat(fence.passed(publication)).isTrue();
    fence.end(fence.begin());
    assertThat(woken).hasValue(1);
  }

  @Test
  void whenALaterChangeIsStillInFlight_thenItDoesNotHoldBackAnEarlierPublication() {
    long first = fence.begin();
    long publication = fence.ticket();
    long later = fence.begin();
    AtomicInteger woken = new AtomicInteger();
    assertThat(fence.passedOrLater(publication, woken::incrementAndGet)).isFalse();

    fence.end(first);

    assertThat(woken).hasValue(1);
    assertThat(fence.passed(fence.ticket())).isFalse();
    fence.end(later);
    assertThat(fence.ticket()).isEqualTo(SubscriptionFence.OPEN);
  }

  @Test
  void whenChangesEndOutOfOrder_thenThePublicationWaitsForAllBeforeIt() {
    long a = fence.begin();
    long b = fence.begin();
    long publication = fence.ticket();
    AtomicInteger woken = new AtomicInteger();
    assertThat(fence.passedOrLater(publication, woken::incrementAndGet)).isFalse();

    fence.end(b);
    assertThat(woken).hasValue(0);
    fence.end(a);
    assertThat(woken).hasValue(1);
  }
}

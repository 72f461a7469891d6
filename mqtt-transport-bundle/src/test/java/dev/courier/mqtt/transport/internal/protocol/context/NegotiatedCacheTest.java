package dev.courier.mqtt.transport.internal.protocol.context;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Connections that settle on equal limits share one {@link Negotiated}. */
class NegotiatedCacheTest {

  private static Negotiated keepAlive(int seconds) {
    return new Negotiated(65_535, 64, Integer.MAX_VALUE, 0, 16, seconds, 0, true, false,
        0xFFFF_FFFFL, false);
  }

  @Test
  void whenLimitsEqualTheLastOnes_thenTheLastInstanceIsKept() {
    NegotiatedCache cache = new NegotiatedCache();
    Negotiated first = cache.intern(keepAlive(60));

    assertThat(cache.intern(keepAlive(60))).isSameAs(first);
  }

  @Test
  void whenLimitsDiffer_thenTheNewOnesAreKeptAndShared() {
    NegotiatedCache cache = new NegotiatedCache();
    Negotiated sixty = cache.intern(keepAlive(60));
    Negotiated thirty = keepAlive(30);

    assertThat(cache.intern(thirty)).isSameAs(thirty).isNotEqualTo(sixty);
    assertThat(cache.intern(keepAlive(30))).isSameAs(thirty);
  }

  @Test
  void whenNothingWasNegotiatedYet_thenTheDefaultIsShared() {
    assertThat(new NegotiatedCache().intern(new Negotiated(65_535, 65_535, Integer.MAX_VALUE, 0,
        0, 0, 0, true, false, 0xFFFF_FFFFL, false))).isSameAs(Negotiated.DEFAULT);
  }
}

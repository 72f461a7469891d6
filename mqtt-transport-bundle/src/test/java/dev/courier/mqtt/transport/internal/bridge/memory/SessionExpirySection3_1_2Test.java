package dev.courier.mqtt.transport.internal.bridge.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.Client;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 sections 3.1.2.4 and 3.1.2.11 as the bridge keeps sessions: Clean Start
 * [MQTT-3.1.2-4] [MQTT-3.1.2-5], and the Session Expiry Interval, also as changed at DISCONNECT
 * (section 3.14.2.2.2): a detached session is discarded once it elapses, 0 ends it with the
 * connection, {@link SessionRequest#NEVER} never.
 */
class SessionExpirySection3_1_2Test {

  private final BridgeFixture fixture = new BridgeFixture();
  private final InMemoryBridge bridge = fixture.bridge;

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void whenResumedBeforeTheIntervalElapses_thenSessionIsPresentWithItsQueue() {
    Client sub = subscribedAndDetached(10);
    fixture.connect("pub").publish("t", "queued");
    fixture.advance(9_999);
    bridge.sweep();

    Client back = fixture.connect("sub", false, 10);

    assertThat(back.session.present()).isTrue();
    assertThat(back.drain()).extracting(BridgeFixture::text).containsExactly("queued");
    assertThat(bridge.expiredSessions()).isZero();
    assertThat(sub.session).isSameAs(back.session);
  }

  @Test
  void whenTheIntervalElapses_thenTheSweepDiscardsQueueAndSubscriptions() {
    subscribedAndDetached(10);
    Client pub = fixture.connect("pub");
    pub.publish("t", "queued");
    fixture.advance(10_000);

    bridge.sweep();
    pub.publish("t", "after expiry");

    assertThat(bridge.sessionCount()).isEqualTo(1); // only the publisher
    assertThat(bridge.expiredSessions()).isEqualTo(1);
    Client back = fixture.connect("sub", false, 10);
    assertThat(back.session.present()).isFalse();
    assertThat(back.drain()).isEmpty();
  }

  @Test
  void whenTheIntervalElapsedButNoSweepRanYet_thenOpeningStartsAFreshSession() {
    subscribedAndDetached(1);
    fixture.advance(1_000);

    Client back = fixture.connect("sub", false, 1);
    fixture.connect("pub").publish("t", "x");

    assertThat(back.session.present()).isFalse();
    assertThat(back.drain()).isEmpty();
    assertThat(bridge.expiredSessions()).isEqualTo(1);
  }

  @Test
  void whenDetachedWithZero_thenTheSessionEndsAtOnce() {
    Client sub = fixture.connect("sub", false, 3600);
    sub.subscribe(new SubscriptionRequest("t", 1));

    sub.session.detach(0);

    assertThat(bridge.sessionCount()).isZero();
    assertThat(fixture.connect("sub", false, 3600).session.present()).isFalse();
  }

  @Test
  void whenDisconnectChangesTheInterval_thenTheNewIntervalApplies() {
    Client sub = fixture.connect("sub", false, 3600);
    sub.subscribe(new SubscriptionRequest("t", 1));

    sub.session.detach(5);
    fixture.advance(5_000);
    bridge.sweep();

    assertThat(bridge.expiredSessions()).isEqualTo(1);
  }

  @Test
  void whenDetachedWithoutInterval_thenTheOpeningIntervalApplies() {
    Client sub = fixture.connect("sub", false, 2);

    sub.session.detach();
    fixture.advance(2_000);
    bridge.sweep();

    assertThat(bridge.sessionCount()).isZero();
  }

  @Test
  void whenTheIntervalIsNever_thenTheSessionOutlivesAnyTime_andNoSweepStarts() {
    subscribedAndDetached(SessionRequest.NEVER);
    fixture.advance(Duration.ofDays(365 * 200).toMillis());

    bridge.sweep();

    assertThat(fixture.connect("sub", false, SessionRequest.NEVER).session.present()).isTrue();
    assertThat(bridge.sweeperStarted()).isFalse();
  }

  @Test
  void whenCleanStartWithAnInterval_thenAFreshSessionStartsThatThenPersists() {
    Client old = subscribedAndDetached(SessionRequest.NEVER);
    fixture.connect("pub").publish("t", "for the old session");

    Client fresh = fixture.connect("sub", true, 60);
    boolean presentAtCleanStart = fresh.session.present();
    fresh.session.detach(60);
    fixture.connect("pub").publish("t", "nobody subscribed");
    Client resumed = fixture.connect("sub", false, 60);

    assertThat(presentAtCleanStart).isFalse();
    assertThat(fresh.session).isNotSameAs(old.session);
    assertThat(resumed.session.present()).isTrue();
    assertThat(resumed.session).isSameAs(fresh.session);
    assertThat(resumed.drain()).isEmpty();
  }

  @Test
  void whenResumedAfterADetach_thenTheEarlierDeadlineNoLongerApplies_evenBeforeAttach() {
    subscribedAndDetached(1);
    // Resumed, not attached yet (the transport attaches after its CONNACK work).
    BridgeSession resumed = BridgeFixture.join(
        bridge.openSession(new SessionRequest("sub", false, BridgeFixture.MAX_QUEUED, 1)));
    fixture.advance(5_000);

    bridge.sweep();

    assertThat(resumed.present()).isTrue();
    assertThat(bridge.sessionCount()).isEqualTo(1);
    assertThat(bridge.expiredSessions()).isZero();
  }

  @Test
  void whenLeftToItsOwnSweep_thenAnExpiredSessionGoes_andTheSweepStopsWithTheBridge() {
    Thread sweeperThread;
    try (BridgeFixture fast = new BridgeFixture(5)) {
      Client sub = fast.connect("sub", false, 1);
      boolean startedBeforeDetach = fast.bridge.sweeperStarted();
      sub.session.detach();
      fast.advance(1_000);

      await().atMost(Duration.ofSeconds(10)).until(() -> fast.bridge.sessionCount() == 0);
      assertThat(startedBeforeDetach).isFalse();
      assertThat(fast.bridge.expiredSessions()).isEqualTo(1);
      sweeperThread = fast.bridge.sweeperThread();
      assertThat(sweeperThread.getName()).isEqualTo(ExpirySweeper.THREAD_NAME);
      assertThat(sweeperThread.isDaemon()).isTrue();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> !sweeperThread.isAlive());
  }

  private Client subscribedAndDetached(long expirySeconds) {
    Client sub = fixture.connect("sub", false, expirySeconds);
    sub.subscribe(new SubscriptionRequest("t", 1));
    sub.session.detach(expirySeconds);
    return sub;
  }
}

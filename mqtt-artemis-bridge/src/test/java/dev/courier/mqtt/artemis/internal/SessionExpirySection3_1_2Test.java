package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 sections 3.1.2.4 (Clean Start) and 3.1.2.11 (Session Expiry Interval): a detached
 * session is deleted, queues and records, once its interval has elapsed, also when that happened
 * while the broker was down; 0 ends it with the connection, {@link SessionRequest#NEVER} never.
 */
class SessionExpirySection3_1_2Test extends ArtemisTestSupport {

  private static final long MINUTE = 60;

  private final TestClock clock = new TestClock();

  SessionExpirySection3_1_2Test() {
    super(100);
  }

  @Override
  LongSupplier clock() {
    return clock;
  }

  private BridgeSession open(String clientId, boolean cleanStart, long expirySeconds)
      throws Exception {
    return bridge.openSession(new SessionRequest(clientId, cleanStart, 100, expirySeconds))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private BridgeSession subscribedAndDetached(String clientId, long expirySeconds)
      throws Exception {
    BridgeSession session = open(clientId, false, expirySeconds);
    await(session.subscribe(List.of(new SubscriptionRequest("t/" + clientId, 1))));
    session.detach(expirySeconds);
    return session;
  }

  private long records() {
    return broker.server().locateQueue(SimpleString.of(SessionStore.QUEUE)).getMessageCount();
  }

  private void awaitGone(String clientId) {
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() ->
        bridge.sessionStore().get(clientId) == null && courierQueues().isEmpty() && records() == 0);
  }

  /** Waits until the detach has been journaled (it runs after the session's earlier work). */
  private void awaitDetached(String clientId) {
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() ->
        bridge.sessionStore().get(clientId).detachedAt != 0);
  }

  @Test
  void whenDetachedLongerThanItsInterval_thenTheSessionIsDeleted_elseResumed() throws Exception {
    subscribedAndDetached("short", MINUTE);
    subscribedAndDetached("long", 10 * MINUTE);
    awaitDetached("short");
    awaitDetached("long");
    clock.advance(MINUTE * 1000 - 1);
    bridge.sweepExpired();
    assertThat(bridge.sessionStore().get("short")).as("not yet").isNotNull();

    clock.advance(1);
    bridge.sweepExpired();
    Awaitility.await().atMost(10, TimeUnit.SECONDS)
        .until(() -> bridge.sessionStore().get("short") == null);
    assertThat(courierQueues()).containsExactly(ArtemisBridge.queueName("long", "t/long"));
    assertThat(open("short", false, MINUTE).present()).isFalse();
    BridgeSession resumed = open("long", false, MINUTE);
    assertThat(resumed.present()).isTrue();
    await(open("pub", true, 0).publish(new Publication("t/long",
        "still here".getBytes(StandardCharsets.UTF_8), 1, false, "pub")));
    RecordingSink sink = new RecordingSink(resumed);
    resumed.attach(sink);
    assertThat(sink.take(1, true)).extracting(Delivery::topic).containsExactly("t/long");
  }

  @Test
  void whenResumedBeforeItsInterval_thenALaterSweepLeavesItAlone() throws Exception {
    subscribedAndDetached("c", MINUTE);
    awaitDetached("c");
    BridgeSession resumed = open("c", false, MINUTE);
    resumed.attach(new RecordingSink(resumed));
    clock.advance(2 * MINUTE * 1000);
    bridge.sweepExpired();
    assertThat(bridge.sessionStore().get("c")).isNotNull();
    assertThat(bridge.lifecycle().expiry().size()).as("its deadline was forgotten").isZero();
    assertThat(courierQueues()).hasSize(1);
  }

  @Test
  void whenDetachedWithIntervalZero_thenItEndsAtOnce() throws Exception {
    subscribedAndDetached("zero", MINUTE);
    BridgeSession again = open("zero", false, MINUTE);
    again.detach(0);
    awaitGone("zero");
  }

  @Test
  void whenTheIntervalIsNever_thenTheSessionIsKeptWhateverTheTime() throws Exception {
    subscribedAndDetached("forever", SessionRequest.NEVER);
    clock.advance(TimeUnit.DAYS.toMillis(365 * 200));
    bridge.sweepExpired();
    bridge = broker.restart();
    assertThat(open("forever", false, SessionRequest.NEVER).present()).isTrue();
  }

  @Test
  void whenCleanStartWithAnInterval_thenItStartsAfreshAndPersists() throws Exception {
    subscribedAndDetached("cs", SessionRequest.NEVER);
    BridgeSession fresh = open("cs", true, MINUTE);
    assertThat(fresh.present()).isFalse();
    assertThat(courierQueues()).as("the old session's queues went").isEmpty();
    await(fresh.subscribe(List.of(new SubscriptionRequest("new", 1))));
    fresh.detach(MINUTE);
    bridge = broker.restart();
    assertThat(open("cs", false, MINUTE).present()).isTrue();
    assertThat(courierQueues()).containsExactly(ArtemisBridge.queueName("cs", "new"));
  }

  @Test
  void whenItExpiredWhileTheBrokerWasDown_thenItIsDeletedAtStart() throws Exception {
    subscribedAndDetached("gone", MINUTE);
    subscribedAndDetached("kept", 10 * MINUTE);
    awaitDetached("gone");
    awaitDetached("kept");
    broker.stop();
    clock.advance(2 * MINUTE * 1000);
    bridge = broker.start(ArtemisBridgeConfig.DEFAULTS, clock);

    assertThat(bridge.sessionStore().get("gone")).isNull();
    assertThat(courierQueues()).containsExactly(ArtemisBridge.queueName("kept", "t/kept"));
    // The detach time was journaled: "kept" expires 10 min after it, not after the restart.
    clock.advance(8 * MINUTE * 1000);
    bridge.sweepExpired();
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> courierQueues().isEmpty());
    assertThat(open("kept", false, MINUTE).present()).isFalse();
  }

  @Test
  void whenTheClientWasConnectedWhenTheBrokerWentDown_thenTheIntervalRunsFromTheStart()
      throws Exception {
    BridgeSession connected = open("crash", false, MINUTE);
    await(connected.subscribe(List.of(new SubscriptionRequest("c", 1))));
    broker.stop();
    clock.advance(10 * MINUTE * 1000);
    bridge = broker.start(ArtemisBridgeConfig.DEFAULTS, clock);
    assertThat(bridge.sessionStore().get("crash")).as("kept from the start on").isNotNull();
    clock.advance(MINUTE * 1000);
    bridge.sweepExpired();
    Awaitility.await().atMost(10, TimeUnit.SECONDS)
        .until(() -> bridge.sessionStore().get("crash") == null && courierQueues().isEmpty());
  }

  @Test
  void whenNotCleanStartWithIntervalZero_thenTheStoredSessionIsResumedAndEndsWithIt()
      throws Exception {
    subscribedAndDetached("z", MINUTE);
    BridgeSession resumed = open("z", false, 0);
    assertThat(resumed.present()).isTrue();
    await(resumed.close());
    awaitGone("z");
  }

  @Test
  void whenNobodyCallsTheSweep_thenTheScheduledOneDeletesTheSession() throws Exception {
    subscribedAndDetached("auto", 1);
    awaitDetached("auto");
    clock.advance(1000);
    awaitGone("auto"); // the bridge's own sweep, every second on Artemis's scheduled pool
  }
}

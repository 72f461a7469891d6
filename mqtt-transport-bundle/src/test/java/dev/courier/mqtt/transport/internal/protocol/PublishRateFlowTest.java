package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code maxPublishRate}: a client publishing faster than the rate is throttled (reading from it
 * pauses until a token is back, by a task on its loop), never refused or disconnected, on either
 * protocol version; a client within it never notices. Time is the test loop's virtual clock.
 */
class PublishRateFlowTest {

  private static final int RATE = 10;
  private static final long MILLIS = TimeUnit.MILLISECONDS.toNanos(1);

  private final EngineFixture engine =
      new EngineFixture(TransportConfig.defaults().withPublishRate(RATE));

  @AfterEach
  void close() {
    engine.close();
  }

  private TestClient connect(EngineFixture fixture, MqttVersion version, String clientId) {
    TestClient client = fixture.client();
    client.send(Packets.connect(version, clientId, true));
    assertThat(client.nextConnAck().variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    return client;
  }

  private TestClient watcher() {
    TestClient watcher = engine.connected("watcher", true);
    watcher.send(subscribe(1, "#", 1));
    watcher.next(SUBACK);
    return watcher;
  }

  private long throttled() {
    return engine.statistics.publishRateReadPauses();
  }

  private static long acks(List<MqttMessage> packets, MqttMessageType type) {
    return packets.stream().filter(m -> m.fixedHeader().messageType() == type).count();
  }

  @ParameterizedTest
  @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  void whenABurstPassesASecondsWorth_thenReadingPauses_untilATokenIsBack(MqttVersion version) {
    TestClient watcher = watcher();
    TestClient client = connect(engine, version, "burst");

    for (int i = 1; i <= RATE; i++) {
      client.send(publish("t", "m" + i, 1, i));
    }
    assertThat(client.port.paused).as("a second's worth is a burst the bucket holds").isFalse();
    client.send(publish("t", "over", 1, RATE + 1));

    assertThat(client.port.paused).as("reading paused").isTrue();
    assertThat(throttled()).isEqualTo(1);
    // Nothing refused, nothing dropped, the connection stays: every publication acknowledged.
    assertThat(acks(client.rest(), PUBACK)).isEqualTo(RATE + 1);
    assertThat(watcher.rest()).hasSize(RATE + 1);
    assertThat(client.port.closed).isFalse();

    // One token short (-1) plus the one the next publication needs: 2 tokens at 10/s, 200 ms.
    engine.loop.advance(199 * MILLIS);
    assertThat(client.port.paused).isTrue();
    engine.loop.advance(MILLIS);
    assertThat(client.port.paused).as("resumed by the scheduled task").isFalse();

    client.send(publish("t", "next", 1, 1));
    assertThat(client.port.paused).isFalse();
    client.expectAck(PUBACK, 1);
    assertThat(throttled()).isEqualTo(1);
  }

  @Test
  void whenPublicationsArriveWhilePaused_thenTheyAreTakenOnCredit_andThePauseLastsLonger() {
    TestClient client = connect(engine, MqttVersion.MQTT_5, "batch");
    for (int i = 0; i <= RATE; i++) {
      client.send(publish("t", "x", 0, 0)); // the last one pauses
    }
    assertThat(client.port.paused).isTrue();

    // The rest of the read that was under way when reading paused.
    for (int i = 0; i < 5; i++) {
      client.send(publish("t", "x", 0, 0));
    }

    // -6 tokens: 7 to wait for, 700 ms; the task due at 200 ms sees that and waits on.
    engine.loop.advance(200 * MILLIS);
    assertThat(client.port.paused).isTrue();
    assertThat(engine.loop.scheduledPending()).isEqualTo(1);
    engine.loop.advance(499 * MILLIS);
    assertThat(client.port.paused).isTrue();
    engine.loop.advance(MILLIS);
    assertThat(client.port.paused).isFalse();
    assertThat(engine.loop.scheduledPending()).isZero();
    assertThat(throttled()).as("one pause, however long").isEqualTo(1);
  }

  @Test
  void whenAClientKeepsToTheRate_thenItIsNeverPaused() {
    TestClient client = connect(engine, MqttVersion.MQTT_5, "steady");

    // 10 at once, then one every 100 ms: the bucket never runs dry.
    for (int i = 1; i <= 60; i++) {
      client.send(publish("t", "x", 1, i));
      if (i >= RATE) {
        engine.loop.advance(100 * MILLIS);
      }
      assertThat(client.port.paused).as("after publication %d", i).isFalse();
    }
    assertThat(throttled()).isZero();
    assertThat(engine.loop.scheduledPending()).isZero();
  }

  @Test
  void whenIdleForLong_thenTheBucketHoldsNoMoreThanASecondsWorth() {
    TestClient client = connect(engine, MqttVersion.MQTT_3_1_1, "idle");
    engine.loop.advance(TimeUnit.HOURS.toNanos(1));

    for (int i = 0; i < RATE; i++) {
      client.send(publish("t", "x", 0, 0));
    }
    assertThat(client.port.paused).isFalse();
    client.send(publish("t", "x", 0, 0));
    assertThat(client.port.paused).isTrue();
  }

  @Test
  void whenTheKeepAliveExpiresWhileThrottled_thenTheClientIsNotClosed_butAfterwardsItIs() {
    TestClient client = connect(engine, MqttVersion.MQTT_5, "slowed");
    for (int i = 0; i <= RATE; i++) {
      client.send(publish("t", "x", 0, 0));
    }
    assertThat(client.port.paused).isTrue();

    client.connection.keepAliveExpired();
    engine.loop.runAll();
    assertThat(client.port.closed).as("the silence is ours while reading is paused").isFalse();

    engine.loop.advance(200 * MILLIS);
    client.connection.keepAliveExpired();
    engine.loop.runAll();
    assertThat(client.port.closed).isTrue();
  }

  @Test
  void whenTheConnectionClosesWhilePaused_thenTheResumeTaskDoesNothing() {
    TestClient client = connect(engine, MqttVersion.MQTT_5, "gone");
    for (int i = 0; i <= RATE; i++) {
      client.send(publish("t", "x", 0, 0));
    }
    client.drop();

    engine.loop.advance(TimeUnit.SECONDS.toNanos(1));

    assertThat(client.port.paused).as("not resumed after the close").isTrue();
    assertThat(engine.loop.scheduledPending()).isZero();
  }

  @Test
  void whenNoRateIsSet_thenNoBurstPausesReading_andNothingIsScheduled() {
    try (EngineFixture unlimited = new EngineFixture()) {
      TestClient client = connect(unlimited, MqttVersion.MQTT_5, "free");

      for (int i = 0; i < 1_000; i++) {
        client.send(publish("t", "x", 0, 0));
      }

      assertThat(client.port.paused).isFalse();
      assertThat(unlimited.loop.scheduledPending()).isZero();
      assertThat(unlimited.statistics.publishRateReadPauses()).isZero();
    }
  }
}

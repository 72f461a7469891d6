package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code memoryRefusalPercent}: the flag that admission reads follows a gauge's samples, strictly
 * above the percent, for the heap and the direct memory alike.
 */
class MemoryPressureTest {

  private final FakeMemoryGauge gauge = new FakeMemoryGauge();
  private final DefaultEventLoop loop = new DefaultEventLoop();
  /** Samples only when asked or after a garbage collection: the timer's period is an hour. */
  private final MemoryPressure pressure = new MemoryPressure(gauge, loop,
      TimeUnit.HOURS.toMillis(1), System::nanoTime);

  @AfterEach
  void stop() {
    pressure.stop();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void whenTheHeapAfterGcIsAboveThePercent_thenRefused_untilItFallsBack() {
    pressure.refuseAbove(90);
    pressure.sampleNow();
    assertThat(pressure.refusesNew()).isFalse();

    gauge.heap = 90.5;
    pressure.sampleNow();
    assertThat(pressure.refusesNew()).isTrue();

    gauge.heap = 70;
    pressure.sampleNow();
    assertThat(pressure.refusesNew()).isFalse();
  }

  @Test
  void whenTheDirectMemoryIsAboveThePercent_thenRefused() {
    pressure.refuseAbove(80);
    gauge.direct = 81;
    pressure.sampleNow();

    assertThat(pressure.refusesNew()).isTrue();
  }

  @Test
  void whenExactlyAtThePercent_orNotKnown_thenAdmitted() {
    pressure.refuseAbove(90);
    gauge.heap = 90;
    gauge.direct = -1;
    pressure.sampleNow();

    assertThat(pressure.refusesNew()).isFalse();
  }

  @Test
  void whenTheSettingIsZero_thenNeverRefused_evenWhilePressureWasOn() {
    gauge.heap = 99.9;
    pressure.refuseAbove(0);
    pressure.sampleNow();
    assertThat(pressure.refusesNew()).isFalse();

    pressure.refuseAbove(50);
    pressure.sampleNow();
    assertThat(pressure.refusesNew()).isTrue();
    pressure.refuseAbove(0);
    pressure.sampleNow();
    assertThat(pressure.refusesNew()).isFalse();
  }

  @Test
  void whenAGarbageCollectionEnds_thenTheGaugeIsReadAgain_withoutWaitingForTheTimer() {
    pressure.refuseAbove(90);
    pressure.sampleNow();
    assertThat(pressure.refusesNew()).isFalse();

    gauge.heap = 95;
    System.gc(); // the collectors' notification hands a sample to the loop

    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(pressure::refusesNew);
  }

  @Test
  void whenRefused_thenCounted_andAnsweredServerBusy() {
    pressure.refused("a");
    pressure.refused("b");

    assertThat(pressure.refusedConnections()).isEqualTo(2);
    assertThat(pressure.mqtt5Code())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY);
    assertThat(pressure.mqtt5Code().byteValue()).isEqualTo((byte) 0x89);
  }

  @Test
  void whenReadFromThePlatform_thenTheHeapAndTheDirectMemoryAreKnown() {
    PlatformMemoryGauge platform = new PlatformMemoryGauge();
    System.gc(); // a collection of the tenured pool, so that its use after GC is measured

    assertThat(platform.heapPercent()).as("the tenured pool after GC").isBetween(0.0, 100.0);
    assertThat(platform.directPercent()).isBetween(0.0, 100.0);
  }
}

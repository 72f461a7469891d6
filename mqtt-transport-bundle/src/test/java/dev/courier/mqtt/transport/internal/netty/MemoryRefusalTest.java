package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * {@code memoryRefusalPercent} on a real listener, the memory played by a gauge: while the heap or
 * the direct memory is above it, a new connection gets CONNACK 3 (3.1.1) or 0x89 Server busy (5.0)
 * and is closed and counted; the open ones are served on, and new ones again once it is over.
 */
class MemoryRefusalTest extends AdmissionTestSupport {

  private final FakeMemoryGauge gauge = new FakeMemoryGauge();

  private void start(int memoryRefusalPercent) {
    startTransport(RunningTransport.withPort(TransportConfig.defaults(), 0)
        .withAdmissionLimits(TransportConfig.DEFAULT_MAX_CONNECT_RATE, memoryRefusalPercent),
        gauge);
  }

  @Test
  void whenTheHeapIsAboveThePercent_thenNewConnectionsAreRefusedWithCode3Or0x89_andCounted()
      throws IOException {
    start(90);
    assertThat(connect("held-311", 4)).isZero();
    assertThat(connect("held-5", 5)).isZero();

    gauge.heap = 95;
    running.transport.sampleMemory();

    assertThat(connect("new-311", 4)).as("3.1.1: server unavailable").isEqualTo(3);
    assertThat(RawConnections.closedByServer(clients.last())).isTrue();
    assertThat(connect("new-5", 5)).as("5.0: server busy").isEqualTo(0x89);
    assertThat(RawConnections.closedByServer(clients.last())).isTrue();
    assertThat(running.transport.memoryRefusedConnections()).isEqualTo(2);
    assertThat(running.transport.refusedConnections()).isZero();
    assertThat(running.transport.rateRefusedConnections()).isZero();

    assertThat(RawConnections.pings(clients.get(0))).as("open connections untouched").isTrue();
    assertThat(RawConnections.pings(clients.get(1))).isTrue();
  }

  @Test
  void whenTheDirectMemoryIsAboveThePercent_thenRefused_andOnceItIsOver_thenServedAgain()
      throws IOException {
    start(80);
    gauge.direct = 85;
    running.transport.sampleMemory();
    assertThat(connect("refused", 5)).isEqualTo(0x89);

    gauge.direct = 40;
    running.transport.sampleMemory();
    assertThat(connect("served", 5)).isZero();
    assertThat(RawConnections.pings(clients.last())).isTrue();
    assertThat(running.transport.memoryRefusedConnections()).isEqualTo(1);
  }

  @Test
  void whenTheSettingIsZero_thenNoRefusal_howeverFullTheMemory() throws IOException {
    start(0);
    gauge.heap = 99;
    gauge.direct = 99;
    running.transport.sampleMemory();

    assertThat(connect("served-311", 4)).isZero();
    assertThat(connect("served-5", 5)).isZero();
    assertThat(running.transport.memoryRefusedConnections()).isZero();
  }

  @Test
  void whenTheSettingChangesOnARebind_thenTheNewOneApplies() throws IOException {
    start(90);
    gauge.heap = 85;
    running.transport.sampleMemory();
    assertThat(connect("under-90", 4)).isZero();

    running.rebind(RunningTransport.withPort(TransportConfig.defaults(), 0)
        .withAdmissionLimits(TransportConfig.DEFAULT_MAX_CONNECT_RATE, 80));
    running.transport.sampleMemory();
    assertThat(connect("over-80", 4)).isEqualTo(3);
  }
}

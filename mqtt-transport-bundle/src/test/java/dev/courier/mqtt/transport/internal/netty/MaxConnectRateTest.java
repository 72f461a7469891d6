package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code maxConnectRate} on a real listener: a connection beyond one second's worth gets CONNACK 3
 * (3.1.1) or 0x9F Connection rate exceeded (5.0), is closed and counted; the ones admitted are
 * served, and a token that came back admits the next.
 */
class MaxConnectRateTest extends AdmissionTestSupport {

  private void start(int maxConnectRate) {
    // Memory pressure off: this JVM's memory is no part of these tests.
    startTransport(RunningTransport.withPort(TransportConfig.defaults(), 0)
        .withAdmissionLimits(maxConnectRate, 0));
  }

  @ParameterizedTest(name = "MQTT version {0}: {1}")
  @CsvSource({"4, 3", "5, 0x9F"})
  void whenASecondsWorthIsTaken_thenTheNextIsRefusedWithItsCodeAndClosed_andCounted(int version,
      String code) throws IOException {
    start(1); // a token a second: the second connection comes well within that second

    assertThat(connect("first", version)).isZero();
    assertThat(connect("second", version)).isEqualTo(Integer.decode(code));

    assertThat(RawConnections.closedByServer(clients.last())).isTrue();
    assertThat(running.transport.rateRefusedConnections()).isEqualTo(1);
    assertThat(running.transport.refusedConnections()).as("not maxConnections").isZero();
    assertThat(RawConnections.pings(clients.get(0))).as("the admitted one is served").isTrue();
  }

  @Test
  void whenATokenHasComeBack_thenTheNextConnectionIsServed() throws IOException {
    start(1);
    assertThat(connect("first", 4)).isZero();

    Awaitility.await().atMost(10, TimeUnit.SECONDS).pollInterval(100, TimeUnit.MILLISECONDS)
        .until(() -> connect("later", 4) == 0);
    assertThat(RawConnections.pings(clients.last())).isTrue();
  }

  @Test
  void whenUnderTheRate_thenEveryConnectionIsServed() throws IOException {
    start(50);
    for (int i = 0; i < 50; i++) {
      assertThat(connect("client-" + i, i % 2 == 0 ? 4 : 5)).as("client %d", i).isZero();
    }
    assertThat(running.transport.rateRefusedConnections()).isZero();
  }

  @Test
  void whenZero_thenNoLimit() throws IOException {
    start(0);
    for (int i = 0; i < 20; i++) {
      assertThat(connect("client-" + i, 4)).isZero();
    }
    assertThat(running.transport.rateRefusedConnections()).isZero();
  }
}

package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code maxConnections}: a connection beyond it gets CONNACK 3 (3.1.1) or 0x97 Quota exceeded
 * (5.0), is closed and counted; the ones held stay, and a place freed is taken again.
 */
class MaxConnectionsTest extends AdmissionTestSupport {

  private void start(int maxConnections) {
    startTransport(RunningTransport.loopback().maxConnections(maxConnections).build());
  }

  @Test
  void whenTheLimitIsReached_thenOneMoreIsRefusedWithCode3Or0x97AndClosed_andCounted()
      throws IOException {
    start(2);
    assertThat(connect("held-1", 4)).isZero();
    assertThat(connect("held-2", 5)).isZero();

    assertThat(connect("third-311", 4)).as("3.1.1: server unavailable").isEqualTo(3);
    assertThat(RawConnections.closedByServer(clients.get(2))).isTrue();
    assertThat(connect("third-5", 5)).as("5.0: quota exceeded").isEqualTo(0x97);
    assertThat(RawConnections.closedByServer(clients.get(3))).isTrue();

    assertThat(running.transport.refusedConnections()).isEqualTo(2);
    assertThat(clients.get(0).isClosed()).isFalse();
  }

  @Test
  void whenAHeldConnectionCloses_thenItsPlaceIsTakenAgain() throws IOException {
    start(1);
    assertThat(connect("first", 4)).isZero();
    assertThat(connect("second", 4)).isEqualTo(3);

    clients.get(0).close();
    Awaitility.await().atMost(10, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS)
        .until(() -> connect("again", 4) == 0);
  }

  @Test
  void whenLeftToAuto_thenTheLimitIsTheOpenFileLimitLessAReserve() {
    TransportConfig auto = TransportConfig.defaults();
    assertThat(auto.maxConnections()).isEqualTo(TransportConfig.AUTO_CONNECTIONS);
    assertThat(auto.effectiveMaxConnections(20_000)).isEqualTo(18_976);
    assertThat(auto.effectiveMaxConnections(100)).isEqualTo(64);
    assertThat(auto.effectiveMaxConnections(-1)).isEqualTo(Integer.MAX_VALUE);
    assertThat(ConnectionLimit.openFileLimit()).as("known on this JVM").isPositive();
  }
}

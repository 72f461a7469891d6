package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;

/**
 * What the admission tests share ({@code maxConnections}, {@code maxConnectRate}, {@code
 * memoryRefusalPercent}): a transport each test starts with the setting under test, plain sockets
 * that CONNECT to it by hand, and both closed after the test.
 */
abstract class AdmissionTestSupport {

  final RawConnections clients = new RawConnections();
  RunningTransport running;

  /** Starts the transport, on the memory of this JVM. */
  void startTransport(TransportConfig config) {
    running = new RunningTransport(config);
  }

  /** Starts the transport with the memory read from {@code gauge}. */
  void startTransport(TransportConfig config, MemoryGauge gauge) {
    running = new RunningTransport(config, gauge);
  }

  /**
   * Connects a new socket with a CONNECT of {@code version} (4: 3.1.1, 5: 5.0).
   *
   * @return the CONNACK's return or reason code
   */
  int connect(String clientId, int version) throws IOException {
    return clients.connect(running.port(), clientId, version);
  }

  @AfterEach
  void closeClientsAndTransport() throws IOException {
    try {
      clients.close();
    } finally {
      if (running != null) {
        running.close();
      }
    }
  }
}

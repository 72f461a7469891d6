package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * Rebinding on the same port, as every configuration change that keeps the port does. NIO frees a
 * closed server socket's port only at the selector's next turn, so an immediate bind can fail; the
 * transport must absorb that instead of rejecting the change.
 */
class RebindTest {

  @Test
  void whenRebindingTheSamePortManyTimes_thenEveryRebindSucceedsAndAccepts() throws Exception {
    try (RunningTransport server = new RunningTransport()) {
      int port = server.port();
      TransportConfig same = RunningTransport.withPort(TransportConfig.defaults(), port);
      for (int i = 0; i < 200; i++) {
        // Alternate a setting so each rebind is a real change of configuration.
        TransportConfig next = i % 2 == 0 ? same
            : same.toBuilder().maxInflightMessages(same.maxInflightMessages() + 1).build();
        server.rebind(next);
        assertThat(server.transport.boundAddress().getPort()).isEqualTo(port);
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        assertThat(socket.isConnected()).isTrue();
      } catch (IOException e) {
        throw new AssertionError("listener not accepting after rebinds", e);
      }
    }
  }
}

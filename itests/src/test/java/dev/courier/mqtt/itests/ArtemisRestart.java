package dev.courier.mqtt.itests;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.osgi.framework.Bundle;

/**
 * Restarts the embedded broker and the bundles on it inside the container, the journal kept: a
 * class of its own so that only tests that restart load Artemis's types.
 */
final class ArtemisRestart {

  private ArtemisRestart() {}

  /**
   * Stops the transport, the bridge and the broker, then starts them again on the journal. The
   * broker is stopped and started through its {@code ActiveMQServer}: stopping Artemis's Karaf
   * bundle does not stop a broker whose only protocol is CORE (its tracker never sees CORE go).
   */
  static void brokerAndTransport(CourierKarafTestSupport test) throws Exception {
    Bundle transport = test.bundle("dev.courier.mqtt.transport").orElseThrow();
    Bundle bridge = test.bundle(CourierKarafTestSupport.ARTEMIS_BRIDGE_BSN).orElseThrow();
    ActiveMQServer server =
        (ActiveMQServer) test.bundleContext.getService(test.awaitActiveMQServer());
    transport.stop();
    bridge.stop();
    server.stop();
    assertThat(server.isStarted()).isFalse();
    server.start();
    await().atMost(CourierKarafTestSupport.ARTEMIS_TIMEOUT).until(server::isActive);
    bridge.start();
    transport.start();
    test.awaitArtemisTransport();
  }
}

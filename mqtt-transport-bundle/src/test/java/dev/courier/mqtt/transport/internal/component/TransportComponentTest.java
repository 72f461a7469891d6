package dev.courier.mqtt.transport.internal.component;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.api.MqttTransport;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The DS component's configuration handling, with a minimal fake framework: live rebinding, bad
 * values rejected while the running listener stays, disabling, service registration.
 */
class TransportComponentTest {

  private final TransportComponent component = new TransportComponent();
  private final FakeFramework framework = new FakeFramework();

  @AfterEach
  void stop() {
    component.deactivate();
  }

  @Test
  void whenActivatedWithDefaultsAndFreePort_thenServiceReportsBoundPort() throws Exception {
    int port = freePort();
    component.activate(framework.context(), Map.of("host", "127.0.0.1", "port", port));

    MqttTransport transport = framework.service();
    assertThat(transport.boundAddress().getPort()).isEqualTo(port);
    assertThat(transport.bridgeName()).isEqualTo("in-memory");
    assertThat(framework.properties().get(MqttTransport.PORT_PROPERTY)).isEqualTo(port);
    assertThat(accepts(port)).isTrue();
  }

  @Test
  void whenPortChanged_thenListenerMovesAndServicePropertiesFollow() throws Exception {
    int first = freePort();
    component.activate(framework.context(), Map.of("host", "127.0.0.1", "port", first));
    int second = freePort();

    component.modified(Map.of("host", "127.0.0.1", "port", String.valueOf(second)));

    assertThat(framework.service().boundAddress().getPort()).isEqualTo(second);
    assertThat(framework.properties().get(MqttTransport.PORT_PROPERTY)).isEqualTo(second);
    assertThat(accepts(second)).isTrue();
    assertThat(accepts(first)).isFalse();
  }

  @Test
  void whenValueInvalid_thenRejectedAndRunningListenerStays() throws Exception {
    int port = freePort();
    component.activate(framework.context(), Map.of("host", "127.0.0.1", "port", port));

    component.modified(Map.of("host", "127.0.0.1", "port", "not-a-port"));
    component.modified(Map.of("host", "127.0.0.1", "port", 70000));
    component.modified(Map.of("host", "127.0.0.1", "port", port, "maxInflightMessages", 0));

    assertThat(framework.service().boundAddress().getPort()).isEqualTo(port);
    assertThat(accepts(port)).isTrue();
  }

  @Test
  void whenNewPortIsTaken_thenRunningListenerStays() throws Exception {
    int port = freePort();
    component.activate(framework.context(), Map.of("host", "127.0.0.1", "port", port));
    try (ServerSocket squatter = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      component.modified(Map.of("host", "127.0.0.1", "port", squatter.getLocalPort()));
    }
    assertThat(framework.service().boundAddress().getPort()).isEqualTo(port);
    assertThat(accepts(port)).isTrue();
  }

  @Test
  void whenDisabled_thenServiceGoneAndPortClosed_andReenablingBindsAgain() throws Exception {
    int port = freePort();
    component.activate(framework.context(), Map.of("host", "127.0.0.1", "port", port));

    component.modified(Map.of("host", "127.0.0.1", "port", port, "enabled", "false"));
    assertThat(framework.registered()).isFalse();
    assertThat(accepts(port)).isFalse();

    component.modified(Map.of("host", "127.0.0.1", "port", port, "enabled", "true"));
    assertThat(framework.registered()).isTrue();
    assertThat(accepts(port)).isTrue();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  /** Just enough of a framework for the component: service registration. */
  static final class FakeFramework {
    private final List<Object> services = new ArrayList<>();
    private final Map<String, Object> properties = new HashMap<>();
    private boolean registered;

    BundleContext context() {
      return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
            if (method.getName().equals("registerService")) {
              services.add(args[1]);
              copy((Dictionary<?, ?>) args[2]);
              registered = true;
              return registration();
            }
            throw new UnsupportedOperationException(method.getName());
          });
    }

    private ServiceRegistration<?> registration() {
      return (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {ServiceRegistration.class}, (proxy, method, args) -> {
            switch (method.getName()) {
              case "setProperties" -> copy((Dictionary<?, ?>) args[0]);
              case "unregister" -> registered = false;
              default -> throw new UnsupportedOperationException(method.getName());
            }
            return null;
          });
    }

    private void copy(Dictionary<?, ?> dictionary) {
      properties.clear();
      for (var keys = dictionary.keys(); keys.hasMoreElements(); ) {
        Object key = keys.nextElement();
        properties.put(key.toString(), dictionary.get(key));
      }
    }

    MqttTransport service() {
      assertThat(registered).as("MqttTransport registered").isTrue();
      return (MqttTransport) services.get(services.size() - 1);
    }

    Map<String, Object> properties() {
      return properties;
    }

    boolean registered() {
      return registered;
    }
  }
}

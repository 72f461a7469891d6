package dev.courier.mqtt.transport.internal.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.mqtt.transport.api.MqttTransport;
import dev.courier.mqtt.transport.internal.bridge.memory.InMemoryBridge;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.spi.auth.Authenticator;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import java.lang.reflect.Field;
import java.util.concurrent.CompletionStage;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;

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
    component.modified(Map.of("host", "127.0.0.1", "port", port, "topicAliasMaximum", 70000));
    component.modified(Map.of("host", "127.0.0.1", "port", port,
        "maxSessionExpirySeconds", "-1"));
    component.modified(Map.of("host", "127.0.0.1", "port", port, "maxConnectRate", -1));
    component.modified(Map.of("host", "127.0.0.1", "port", port, "memoryRefusalPercent", "100"));
    component.modified(Map.of("host", "127.0.0.1", "port", port, "ioThreads", "-1"));

    assertThat(framework.service().boundAddress().getPort()).isEqualTo(port);
    assertThat(accepts(port)).isTrue();
  }

  @Test
  void whenIoThreadsChanged_thenListenersRestartOnThatManyLoops_andOtherChangesKeepConnections()
      throws Exception {
    int port = freePort();
    Map<String, Object> base = Map.of("host", "127.0.0.1", "port", port,
        "memoryRefusalPercent", "0", "maxConnectRate", "0");
    component.activate(framework.context(), with(base, "ioThreads", "3"));
    assertThat(component.ioThreads()).isEqualTo(3);
    try (Socket client = new Socket("127.0.0.1", port)) {
      client.setSoTimeout(10_000);
      // CONNECT (3.1.1, clean session, keep alive 60 s, client id "a"), then its CONNACK
      client.getOutputStream().write(new byte[] {0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60,
          0, 1, 'a'});
      assertThat(client.getInputStream().readNBytes(4)).containsExactly(0x20, 2, 0, 0);

      component.modified(with(with(base, "ioThreads", "3"), "maxKeepAliveSeconds", "600"));
      assertThat(component.ioThreads()).isEqualTo(3);
      client.setSoTimeout(300);
      assertThatThrownBy(() -> client.getInputStream().read())
          .isInstanceOf(java.net.SocketTimeoutException.class); // still open

      component.modified(with(base, "ioThreads", "1"));
      assertThat(component.ioThreads()).isEqualTo(1);
      client.setSoTimeout(10_000);
      assertThat(client.getInputStream().read()).isEqualTo(-1); // closed by the restart
    }
    assertThat(framework.registered()).isTrue();
    assertThat(accepts(port)).isTrue();

    component.modified(base);
    assertThat(component.ioThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  private static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
    Map<String, Object> copy = new HashMap<>(map);
    copy.put(key, value);
    return copy;
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

  // ---------------------------------------------------------------- required bridge

  @Test
  void whenBridgeIsNamedAndAbsent_thenNoListener_untilItRegisters_andNoneAgainWhenItGoes()
      throws Exception {
    int port = freePort();
    component.activate(framework.context(),
        Map.of("host", "127.0.0.1", "port", port, "bridge", "artemis"));
    assertThat(framework.registered()).isFalse();
    assertThat(accepts(port)).as("no listener on the in-memory bridge meanwhile").isFalse();

    MessagingBridge artemis = namedBridge("artemis");
    component.bindBridge(namedBridge("other"), Map.of(Constants.SERVICE_RANKING, 500));
    assertThat(accepts(port)).as("another bridge is not the one required").isFalse();
    component.bindBridge(artemis, Map.of(Constants.SERVICE_RANKING, 100));
    assertThat(framework.service().bridgeName()).isEqualTo("artemis");
    assertThat(accepts(port)).isTrue();

    component.unbindBridge(artemis);
    assertThat(framework.registered()).isFalse();
    assertThat(accepts(port)).as("no fallback to the in-memory bridge").isFalse();
  }

  @Test
  void whenAutoAndAnInstalledBundleProvidesABridge_thenListenerWaitsForIt() throws Exception {
    Bundle bridgeBundle = framework.install("dev.courier.mqtt.artemis", MessagingBridge.class);
    int port = freePort();
    component.activate(framework.context(), Map.of("host", "127.0.0.1", "port", port));
    assertThat(accepts(port)).as("waiting for the promised bridge").isFalse();

    MessagingBridge artemis = namedBridge("artemis");
    component.bindBridge(artemis, Map.of());
    assertThat(framework.service().bridgeName()).isEqualTo("artemis");
    assertThat(accepts(port)).isTrue();

    component.unbindBridge(artemis);
    assertThat(accepts(port)).as("still promised: waits again").isFalse();

    framework.uninstall(bridgeBundle);
    assertThat(framework.service().bridgeName()).isEqualTo("in-memory");
    assertThat(accepts(port)).isTrue();
  }

  @Test
  void whenAnyAndNoBridge_thenInMemoryAtOnce_andMovesToAHostBridgeWhenOneRegisters()
      throws Exception {
    framework.install("dev.courier.mqtt.artemis", MessagingBridge.class);
    int port = freePort();
    component.activate(framework.context(),
        Map.of("host", "127.0.0.1", "port", port, "bridge", "any"));
    assertThat(framework.service().bridgeName()).isEqualTo("in-memory");

    component.bindBridge(namedBridge("artemis"), Map.of());
    assertThat(framework.service().bridgeName()).isEqualTo("artemis");
    assertThat(accepts(port)).isTrue();
  }

  @Test
  void whenDisabled_thenBundleEventsDoNotStartTheListener() throws Exception {
    int port = freePort();
    component.activate(framework.context(),
        Map.of("host", "127.0.0.1", "port", port, "enabled", "false"));
    Bundle bridgeBundle = framework.install("dev.courier.mqtt.artemis", MessagingBridge.class);
    framework.uninstall(bridgeBundle);
    assertThat(framework.registered()).isFalse();
    assertThat(accepts(port)).isFalse();
  }

  @Test
  void whenBridgeSettingIsEmpty_thenRejectedAndRunningListenerStays() throws Exception {
    int port = freePort();
    component.activate(framework.context(), Map.of("host", "127.0.0.1", "port", port));
    component.modified(Map.of("host", "127.0.0.1", "port", port, "bridge", " "));
    component.modified(Map.of("host", "127.0.0.1", "port", port,
        "requireAuthenticator", "maybe"));
    assertThat(framework.service().bridgeName()).isEqualTo("in-memory");
    assertThat(accepts(port)).isTrue();
  }

  // ---------------------------------------------------------------- required access control

  @Test
  void whenAuthIsAuto_thenRequiredExactlyWhileAnInstalledBundleProvidesIt() throws Exception {
    int port = freePort();
    component.activate(framework.context(), Map.of("host", "127.0.0.1", "port", port));
    assertThat(access().authenticatorRequired()).isFalse();

    Bundle auth = framework.install("dev.courier.mqtt.auth", Authenticator.class, Authorizer.class);
    assertThat(access().authenticatorRequired()).isTrue();
    assertThat(access().authorizerRequired()).isTrue();

    framework.uninstall(auth);
    assertThat(access().authenticatorRequired()).isFalse();
    assertThat(access().authorizerRequired()).isFalse();
  }

  @Test
  void whenAuthIsSetExplicitly_thenInstalledBundlesDoNotMatter() throws Exception {
    framework.install("dev.courier.mqtt.auth", Authenticator.class, Authorizer.class);
    int port = freePort();
    component.activate(framework.context(), Map.of("host", "127.0.0.1", "port", port,
        "requireAuthenticator", "false", "requireAuthorizer", "true"));
    assertThat(access().authenticatorRequired()).isFalse();
    assertThat(access().authorizerRequired()).isTrue();
  }

  private AccessControl access() throws ReflectiveOperationException {
    Field field = TransportComponent.class.getDeclaredField("access");
    field.setAccessible(true);
    return (AccessControl) field.get(component);
  }

  private static MessagingBridge namedBridge(String name) {
    InMemoryBridge delegate = new InMemoryBridge();
    return new MessagingBridge() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CompletionStage<BridgeSession> openSession(SessionRequest request) {
        return delegate.openSession(request);
      }
    };
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

  /**
   * Just enough of a framework for the component: service registration, and installed bundles
   * that declare the services they provide.
   */
  static final class FakeFramework {
    private final List<Object> services = new ArrayList<>();
    private final Map<String, Object> properties = new HashMap<>();
    private final List<Bundle> bundles = new ArrayList<>();
    private final List<BundleListener> listeners = new ArrayList<>();
    private final Bundle self = bundle("dev.courier.mqtt.transport", List.of());
    private boolean registered;

    BundleContext context() {
      return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
            switch (method.getName()) {
              case "registerService" -> {
                services.add(args[1]);
                copy((Dictionary<?, ?>) args[2]);
                registered = true;
                return registration();
              }
              case "addBundleListener" -> {
                listeners.add((BundleListener) args[0]);
                return null;
              }
              case "removeBundleListener" -> {
                listeners.remove(args[0]);
                return null;
              }
              case "getBundle" -> {
                return self;
              }
              case "getBundles" -> {
                List<Bundle> all = new ArrayList<>(bundles);
                all.add(self);
                return all.toArray(Bundle[]::new);
              }
              default -> throw new UnsupportedOperationException(method.getName());
            }
          });
    }

    /** Installs a bundle that declares it provides services of these classes. */
    Bundle install(String symbolicName, Class<?>... provides) {
      List<String> names = new ArrayList<>();
      for (Class<?> type : provides) {
        names.add(type.getName());
      }
      Bundle bundle = bundle(symbolicName, names);
      bundles.add(bundle);
      fire(BundleEvent.INSTALLED, bundle);
      return bundle;
    }

    void uninstall(Bundle bundle) {
      bundles.remove(bundle);
      fire(BundleEvent.UNINSTALLED, bundle);
    }

    private void fire(int type, Bundle bundle) {
      for (BundleListener listener : List.copyOf(listeners)) {
        listener.bundleChanged(new BundleEvent(type, bundle));
      }
    }

    private static Bundle bundle(String symbolicName, List<String> provides) {
      BundleCapability capability = (BundleCapability) Proxy.newProxyInstance(
          FakeFramework.class.getClassLoader(), new Class<?>[] {BundleCapability.class},
          (proxy, method, args) -> switch (method.getName()) {
            case "getAttributes" -> Map.of("objectClass", provides);
            case "getNamespace" -> "osgi.service";
            default -> throw new UnsupportedOperationException(method.getName());
          });
      BundleRevision revision = (BundleRevision) Proxy.newProxyInstance(
          FakeFramework.class.getClassLoader(), new Class<?>[] {BundleRevision.class},
          (proxy, method, args) -> {
            if (method.getName().equals("getDeclaredCapabilities")) {
              return "osgi.service".equals(args[0]) && !provides.isEmpty()
                  ? List.of(capability) : List.of();
            }
            throw new UnsupportedOperationException(method.getName());
          });
      return (Bundle) Proxy.newProxyInstance(FakeFramework.class.getClassLoader(),
          new Class<?>[] {Bundle.class}, (proxy, method, args) -> switch (method.getName()) {
            case "getState" -> Bundle.INSTALLED;
            case "getSymbolicName" -> symbolicName;
            case "adapt" -> args[0] == BundleRevision.class ? revision : null;
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> symbolicName;
            default -> throw new UnsupportedOperationException(method.getName());
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

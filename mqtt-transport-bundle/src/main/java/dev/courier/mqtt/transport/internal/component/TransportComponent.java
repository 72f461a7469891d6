package dev.courier.mqtt.transport.internal.component;

import dev.courier.mqtt.transport.api.MqttTransport;
import dev.courier.mqtt.transport.internal.bridge.memory.InMemoryBridge;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.config.TransportConfigReader;
import dev.courier.mqtt.transport.internal.netty.NettyTransport;
import dev.courier.mqtt.transport.internal.netty.TlsSettingsException;
import dev.courier.mqtt.transport.internal.protocol.AccessControl;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.spi.auth.Authenticator;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import java.net.InetSocketAddress;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport as a Declarative Services component: reads PID {@value #PID}, owns the Netty
 * listener and the sessions, picks the bridge (the highest-ranked {@link MessagingBridge} service,
 * else the built-in in-memory one), and registers {@link MqttTransport} while a listener is bound.
 *
 * <p>Lifecycle methods are synchronized: SCR may call them from different threads. None of them runs
 * on an event loop.
 */
@Component(
    configurationPid = TransportComponent.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    immediate = true,
    service = {})
@Designate(ocd = TransportConfiguration.class)
public final class TransportComponent {

  /** The configuration PID. */
  public static final String PID = "dev.courier.mqtt.transport";

  private static final Logger LOG = LoggerFactory.getLogger(TransportComponent.class);

  private BundleContext context;
  private TransportConfig config;
  private SessionRegistry registry;
  private NettyTransport transport;
  private InMemoryBridge memoryBridge;
  private MessagingBridge hostBridge;
  private MessagingBridge activeBridge;
  private ServiceRegistration<MqttTransport> registration;
  private boolean active;
  /** Outlives restarts: services bound before activation are kept here. */
  private final AccessControl access = AccessControl.open();

  @Activate
  synchronized void activate(BundleContext bundleContext, Map<String, Object> properties) {
    this.context = bundleContext;
    this.active = true;
    TransportConfigReader.Result result = TransportConfigReader.read(properties);
    if (!result.valid()) {
      result.problems().forEach(problem ->
          LOG.error("Invalid configuration {} value, listener not started: {}", PID, problem));
      return;
    }
    apply(result.config());
  }

  @Modified
  synchronized void modified(Map<String, Object> properties) {
    TransportConfigReader.Result result = TransportConfigReader.read(properties);
    if (!result.valid()) {
      result.problems().forEach(problem -> LOG.error(
          "Invalid configuration {} value rejected, the running listener stays: {}", PID, problem));
      return;
    }
    if (result.config().equals(config)) {
      return;
    }
    apply(result.config());
  }

  @Deactivate
  synchronized void deactivate() {
    active = false;
    stop();
    config = null;
  }

  @Reference(
      service = MessagingBridge.class,
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void bindBridge(MessagingBridge bridge) {
    hostBridge = bridge;
    if (active && config != null) {
      LOG.info("Host bridge '{}' is available; restarting the transport on it", bridge.name());
      restart();
    }
  }

  synchronized void unbindBridge(MessagingBridge bridge) {
    if (hostBridge != bridge) {
      return;
    }
    hostBridge = null;
    if (active && config != null) {
      LOG.warn("Host bridge '{}' went away; falling back to the in-memory bridge (messages and"
          + " sessions held by the host are not available until it returns)", bridge.name());
      restart();
    }
  }

  @Reference(
      service = Authenticator.class,
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindAuthenticator(Authenticator authenticator) {
    access.authenticator(authenticator);
    LOG.info("MQTT authenticator {} in use for new connections", authenticator.getClass().getName());
  }

  void unbindAuthenticator(Authenticator authenticator) {
    if (access.authenticator() == authenticator) {
      access.authenticator(null);
      LOG.warn("MQTT authenticator {} went away: new connections are accepted as anonymous",
          authenticator.getClass().getName());
    }
  }

  @Reference(
      service = Authorizer.class,
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindAuthorizer(Authorizer authorizer) {
    access.authorizer(authorizer);
    LOG.info("MQTT authorizer {} in use for new connections", authorizer.getClass().getName());
  }

  void unbindAuthorizer(Authorizer authorizer) {
    if (access.authorizer() == authorizer) {
      access.authorizer(null);
      LOG.warn("MQTT authorizer {} went away: new connections may use every topic",
          authorizer.getClass().getName());
    }
  }

  private void restart() {
    TransportConfig current = config;
    stop();
    apply(current);
  }

  /** Applies a valid configuration: starts, rebinds or stops the listener. */
  private void apply(TransportConfig next) {
    if (!next.enabled()) {
      LOG.info("MQTT transport disabled by configuration ({} enabled=false)", PID);
      stop();
      config = next;
      return;
    }
    if (transport == null) {
      registry = new SessionRegistry();
      transport = new NettyTransport(registry);
      activeBridge = hostBridge != null ? hostBridge : memoryBridge();
      LOG.info("MQTT transport starting with the {} bridge", activeBridge.name());
    }
    try {
      transport.rebind(next, activeBridge, access);
      config = next;
    } catch (NettyTransport.BindFailure | TlsSettingsException failure) {
      // The message starts with the key at fault (port, sslPort, sslKeystorePath, ...).
      LOG.error("Configuration {} rejected: {}; {}", PID, failure.getMessage(),
          transport.isBound() ? "the running listener stays" : "no listener is running");
      if (!transport.isBound() && config == null) {
        return;
      }
    }
    register();
  }

  private InMemoryBridge memoryBridge() {
    if (memoryBridge == null) {
      memoryBridge = new InMemoryBridge();
    }
    return memoryBridge;
  }

  private void stop() {
    unregister();
    if (transport != null) {
      transport.shutdown();
      transport = null;
    }
    if (memoryBridge != null) {
      memoryBridge.shutdown();
      memoryBridge = null;
    }
    registry = null;
    activeBridge = null;
  }

  private void register() {
    if (transport == null || !transport.isBound()) {
      unregister();
      return;
    }
    InetSocketAddress address = transport.boundAddress();
    Dictionary<String, Object> properties = new Hashtable<>();
    properties.put(MqttTransport.PORT_PROPERTY, address.getPort());
    properties.put(MqttTransport.HOST_PROPERTY, address.getHostString());
    InetSocketAddress tls = transport.tlsAddress();
    if (tls != null) {
      properties.put(MqttTransport.SSL_PORT_PROPERTY, tls.getPort());
    }
    if (registration == null) {
      registration = context.registerService(MqttTransport.class,
          new TransportView(transport, registry, activeBridge), properties);
    } else {
      registration.setProperties(properties);
    }
  }

  private void unregister() {
    if (registration != null) {
      try {
        registration.unregister();
      } catch (IllegalStateException alreadyGone) {
        LOG.debug("MqttTransport service was already unregistered");
      }
      registration = null;
    }
  }

  /** The registered service: a read-only view of one running transport. */
  private record TransportView(NettyTransport transport, SessionRegistry registry,
      MessagingBridge bridge) implements MqttTransport {

    @Override
    public InetSocketAddress boundAddress() {
      return transport.boundAddress();
    }

    @Override
    public int connectedClients() {
      return registry.connectedCount();
    }

    @Override
    public int sessions() {
      return registry.sessionCount();
    }

    @Override
    public String bridgeName() {
      return bridge.name();
    }
  }
}

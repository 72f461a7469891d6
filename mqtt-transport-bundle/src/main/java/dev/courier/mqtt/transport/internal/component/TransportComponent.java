package dev.courier.mqtt.transport.internal.component;

import dev.courier.mqtt.transport.api.MqttTransport;
import dev.courier.mqtt.transport.internal.bridge.memory.InMemoryBridge;
import dev.courier.mqtt.transport.internal.config.Requirements;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.config.TransportConfigReader;
import dev.courier.mqtt.transport.internal.netty.NettyTransport;
import dev.courier.mqtt.transport.internal.netty.TlsSettingsException;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.MqttEngine;
import dev.courier.mqtt.transport.internal.protocol.context.TransportStatistics;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.spi.auth.Authenticator;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.auth.EnhancedAuthenticator;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
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
  private Requirements requirements = Requirements.defaults();
  /** The running transport's protocol engine (its sessions, bridge, counters); null when stopped. */
  private MqttEngine engine;
  private NettyTransport transport;
  private InMemoryBridge memoryBridge;
  /** Host bridge services present, with their ranking; highest first when choosing. */
  private final List<RankedBridge> hostBridges = new ArrayList<>();
  /** What the listener waits for while none is bound for want of a bridge; logged once. */
  private String waitingFor;
  private ServiceRegistration<MqttTransport> registration;
  private boolean active;
  private final BundleListener bundles = event -> {
    if (event.getType() == BundleEvent.INSTALLED || event.getType() == BundleEvent.UNINSTALLED
        || event.getType() == BundleEvent.UPDATED) {
      reevaluate();
    }
  };
  /** Outlives restarts: services bound before activation are kept here. */
  private final AccessControl access = AccessControl.open();

  @Activate
  synchronized void activate(BundleContext bundleContext, Map<String, Object> properties) {
    this.context = bundleContext;
    this.active = true;
    bundleContext.addBundleListener(bundles);
    TransportConfigReader.Result result = TransportConfigReader.read(properties);
    if (!result.valid()) {
      result.problems().forEach(problem ->
          LOG.error("Invalid configuration {} value, listener not started: {}", PID, problem));
      return;
    }
    requirements = result.requirements();
    updateAccessRequirements();
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
    boolean sameRequirements = result.requirements().equals(requirements);
    if (result.config().equals(config) && sameRequirements) {
      return;
    }
    requirements = result.requirements();
    updateAccessRequirements();
    apply(result.config());
  }

  @Deactivate
  synchronized void deactivate() {
    active = false;
    if (context != null) {
      try {
        context.removeBundleListener(bundles);
      } catch (IllegalStateException stopping) {
        LOG.debug("Bundle context already invalid at deactivation");
      }
    }
    stop();
    config = null;
  }

  @Reference(
      service = MessagingBridge.class,
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void bindBridge(MessagingBridge bridge, Map<String, Object> properties) {
    Object ranking = properties.get(Constants.SERVICE_RANKING);
    hostBridges.add(new RankedBridge(bridge, ranking instanceof Integer r ? r : 0));
    LOG.info("Host bridge '{}' is available", bridge.name());
    reevaluate();
  }

  synchronized void unbindBridge(MessagingBridge bridge) {
    if (hostBridges.removeIf(ranked -> ranked.bridge() == bridge)) {
      LOG.info("Host bridge '{}' went away", bridge.name());
      reevaluate();
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
      if (access.authenticatorRequired()) {
        LOG.warn("MQTT authenticator {} went away: an authenticator is required, so new"
            + " connections are refused until one returns", authenticator.getClass().getName());
      } else {
        LOG.warn("MQTT authenticator {} went away: new connections are accepted as anonymous"
            + " (requireAuthenticator is off)", authenticator.getClass().getName());
      }
    }
  }

  @Reference(
      service = EnhancedAuthenticator.class,
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindEnhancedAuthenticator(EnhancedAuthenticator authenticator) {
    access.enhancedAuthenticator(authenticator);
    LOG.info("MQTT enhanced authenticator {} in use for new exchanges",
        authenticator.getClass().getName());
  }

  void unbindEnhancedAuthenticator(EnhancedAuthenticator authenticator) {
    if (access.enhancedAuthenticator() == authenticator) {
      access.enhancedAuthenticator(null);
      // No fallback: a CONNECT with an Authentication Method is refused (0x8C) until one returns.
      LOG.warn("MQTT enhanced authenticator {} went away: CONNECTs and re-authentications with an"
          + " Authentication Method are refused until one returns",
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
      if (access.authorizerRequired()) {
        LOG.warn("MQTT authorizer {} went away: an authorizer is required, so publications and"
            + " subscriptions are refused until one returns", authorizer.getClass().getName());
      } else {
        LOG.warn("MQTT authorizer {} went away: new connections may use every topic"
            + " (requireAuthorizer is off)", authorizer.getClass().getName());
      }
    }
  }

  /** Bundles or bridge services changed: apply the requirements again. */
  private synchronized void reevaluate() {
    if (!active) {
      return;
    }
    updateAccessRequirements();
    if (config != null && config.enabled()) {
      apply(config);
    }
  }

  private void updateAccessRequirements() {
    boolean authenticator = required(requirements.authenticator(), Authenticator.class);
    boolean authorizer = required(requirements.authorizer(), Authorizer.class);
    if (authenticator != access.authenticatorRequired() || authorizer != access.authorizerRequired()) {
      LOG.info("MQTT authenticator {}, authorizer {}", authenticator ? "required" : "not required",
          authorizer ? "required" : "not required");
    }
    access.authenticatorRequired(authenticator);
    access.authorizerRequired(authorizer);
    access.refusal(requirements.refusal());
  }

  private boolean required(Requirements.Need need, Class<?> service) {
    return switch (need) {
      case TRUE -> true;
      case FALSE -> false;
      case AUTO -> context != null && PromisedServices.promisedBy(context, service) != null;
    };
  }

  /**
   * The bridge the requirements choose now; sets {@link #waitingFor} to say what is awaited when
   * the choice is to wait.
   */
  private Choice chooseBridge() {
    RankedBridge best = null;
    for (RankedBridge candidate : hostBridges) {
      if (requirements.namedBridge() && !candidate.bridge().name().equals(requirements.bridge())) {
        continue;
      }
      if (best == null || candidate.ranking() > best.ranking()) {
        best = candidate;
      }
    }
    waitingFor = null;
    switch (requirements.bridge()) {
      case Requirements.IN_MEMORY -> {
        return Choice.MEMORY;
      }
      case Requirements.ANY -> {
        return best != null ? new Choice(best.bridge()) : Choice.MEMORY;
      }
      case Requirements.AUTO -> {
        if (best != null) {
          return new Choice(best.bridge());
        }
        String promisedBy = context == null ? null
            : PromisedServices.promisedBy(context, MessagingBridge.class);
        if (promisedBy == null) {
          return Choice.MEMORY;
        }
        waitingFor = "the bridge of bundle " + promisedBy;
        return Choice.WAIT;
      }
      default -> {
        if (best != null) {
          return new Choice(best.bridge());
        }
        waitingFor = "the '" + requirements.bridge() + "' bridge";
        return Choice.WAIT;
      }
    }
  }

  /** Whether the running transport is on the bridge {@code choice} names. */
  private boolean runsOn(Choice choice) {
    return transport != null && (choice.memory()
        ? memoryBridge != null && engine.bridge() == memoryBridge
        : engine.bridge() == choice.host());
  }

  /** Applies a valid configuration: starts, rebinds or stops the listener. */
  private void apply(TransportConfig next) {
    if (!next.enabled()) {
      LOG.info("MQTT transport disabled by configuration ({} enabled=false)", PID);
      stop();
      config = next;
      return;
    }
    String waitedBefore = transport == null ? waitingFor : null;
    Choice chosen = chooseBridge();
    if (chosen.waits()) {
      if (transport != null || !waitingFor.equals(waitedBefore)) {
        LOG.info("MQTT listener not bound: waiting for {} (bridge = {}); nothing is accepted on a"
            + " bridge that would not keep it", waitingFor, requirements.bridge());
      }
      stop();
      config = next;
      return;
    }
    boolean sameBridge = runsOn(chosen);
    if (sameBridge && next.equals(config) && transport.isBound()) {
      return; // nothing changed (a bundle came or went that does not matter here)
    }
    if (transport != null && !sameBridge) {
      LOG.info("MQTT transport moving from the {} bridge to the {} bridge: listener restarted,"
          + " {} connected clients disconnected so that they reconnect", engine.bridge().name(),
          chosen.memory() ? "in-memory" : chosen.host().name(), engine.connectedClients());
      stop();
    }
    if (transport != null && config != null && next.ioThreads() != config.ioThreads()) {
      // The event loops are the transport's own: new ones, same engine, sessions and counters.
      LOG.info("MQTT transport restarting its listeners for ioThreads {}: {} connected clients"
          + " disconnected so that they reconnect", next.ioThreads(), engine.connectedClients());
      unregister();
      transport.shutdown();
      transport = new NettyTransport(next.ioThreads());
    }
    if (transport == null) {
      MessagingBridge bridge = chosen.memory() ? memoryBridge() : chosen.host();
      try {
        engine = new MqttEngine(next, new SessionRegistry(), bridge, access,
            new TransportStatistics());
      } catch (IllegalArgumentException badBridge) {
        // Its internal topics could not be closed to clients: serve nothing on it.
        LOG.error("The {} bridge declares an invalid reserved topic ({}); no MQTT listener on it",
            bridge.name(), badBridge.getMessage());
        stop();
        config = next;
        return;
      }
      transport = new NettyTransport(next.ioThreads());
      LOG.info("MQTT transport starting with the {} bridge", bridge.name());
    } else {
      engine = engine.withConfig(next); // same sessions, bridge and counters
    }
    try {
      transport.rebind(engine);
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

  /** The running transport's event loops; 0 when none runs (tests). */
  synchronized int ioThreads() {
    return transport == null ? 0 : transport.ioThreads();
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
    engine = null;
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
          new TransportView(transport, engine), properties);
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

  /** The registered service: a view of one running transport, and its administrative kick. */
  private record TransportView(NettyTransport transport, MqttEngine engine)
      implements MqttTransport {

    @Override
    public InetSocketAddress boundAddress() {
      return transport.boundAddress();
    }

    @Override
    public int connectedClients() {
      return engine.connectedClients();
    }

    @Override
    public int sessions() {
      return engine.sessions();
    }

    @Override
    public String bridgeName() {
      return engine.bridge().name();
    }

    @Override
    public long outboundReadPauses() {
      return engine.statistics().outboundReadPauses();
    }

    @Override
    public java.util.List<dev.courier.mqtt.transport.api.ConnectedClient> clients() {
      return engine.clients().stream().map(c -> new dev.courier.mqtt.transport.api.ConnectedClient(
          c.clientId(), c.username(), c.address(), c.protocol(), c.connectedAt(),
          c.keepAliveSeconds(), c.cleanStart(), c.inFlight())).toList();
    }

    @Override
    public boolean kick(String clientId, String reason) {
      return engine.kick(clientId, reason);
    }
  }

  /** A host bridge service and its {@code service.ranking}. */
  private record RankedBridge(MessagingBridge bridge, int ranking) {}

  /** A bridge choice: a host bridge, the in-memory bridge, or waiting (no listener). */
  private record Choice(MessagingBridge host, boolean memory) {
    static final Choice MEMORY = new Choice(null, true);
    static final Choice WAIT = new Choice(null, false);

    Choice(MessagingBridge host) {
      this(host, false);
    }

    boolean waits() {
      return host == null && !memory;
    }
  }
}

package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import java.util.Hashtable;
import java.util.Map;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the Artemis bridge as the transport's {@link MessagingBridge} once Artemis's Karaf
 * component has published a started {@link ActiveMQServer}. Going away (this bundle stopped, or the
 * broker) unregisters the bridge; the transport then falls back to its in-memory bridge, and the
 * broker keeps running.
 */
// Registered from code once the broker is up, so bnd writes no osgi.service capability for it:
// declare it, so that the transport (bridge = auto) knows an installed bridge bundle will provide
// a bridge and binds no listener until it does (no acknowledgement on the in-memory bridge at boot).
@Capability(namespace = "osgi.service",
    attribute = "objectClass:List<String>=\"dev.courier.mqtt.transport.spi.bridge.MessagingBridge\"",
    uses = MessagingBridge.class)
@Component(name = ArtemisBridgeComponent.PID, configurationPid = ArtemisBridgeComponent.PID,
    service = {})
@Designate(ocd = ArtemisBridgeComponent.Metatype.class)
public final class ArtemisBridgeComponent {

  /** The configuration PID. */
  public static final String PID = "dev.courier.mqtt.artemis";

  private static final Logger LOG = LoggerFactory.getLogger(ArtemisBridgeComponent.class);

  /**
   * The bridge's settings (etc/dev.courier.mqtt.artemis.cfg), described for metatype; read by
   * {@link Settings#read} from the raw configuration so that a bad value is named by its key.
   */
  @ObjectClassDefinition(name = "Courier MQTT Artemis bridge",
      description = "MQTT sessions, subscriptions and messages kept in Apache ActiveMQ Artemis")
  public @interface Metatype {
    @AttributeDefinition(description = "Messages one MQTT session takes from Artemis ahead of its"
        + " client; the rest stays in Artemis (paged to disk under its address settings)",
        min = "1")
    int deliveryBuffer() default 256;

    @AttributeDefinition(description = "Threads for blocking Artemis calls (creating and"
        + " destroying subscription queues, opening sessions)", min = "1")
    int threads() default 4;

    @AttributeDefinition(description = "Blocking calls queued before new ones are refused",
        min = "1")
    int maxPendingOperations() default 10_000;

    @AttributeDefinition(description = "Service ranking of the bridge (the transport uses the"
        + " highest-ranked bridge)")
    int ranking() default 100;
  }

  /** The broker, published by Artemis's Karaf component once started. */
  @Reference
  private ActiveMQServer server;

  private ArtemisBridge bridge;
  private ServiceRegistration<MessagingBridge> registration;

  private BundleContext context;
  private Settings current;

  /** The settings read from the raw configuration, each value checked and named by its key. */
  record Settings(ArtemisBridgeConfig bridge, int ranking) {

    static Settings read(Map<String, ?> properties) {
      int deliveryBuffer = positive(properties, "deliveryBuffer", 256);
      int threads = positive(properties, "threads", 4);
      int maxPending = positive(properties, "maxPendingOperations", 10_000);
      int ranking = integer(properties, "ranking", 100);
      return new Settings(new ArtemisBridgeConfig(deliveryBuffer, threads, maxPending,
          ArtemisBridgeConfig.DEFAULTS.loadTimeoutMillis()), ranking);
    }

    private static int positive(Map<String, ?> properties, String key, int fallback) {
      int value = integer(properties, key, fallback);
      if (value < 1) {
        throw new IllegalArgumentException(key + ": must be at least 1, was " + value);
      }
      return value;
    }

    private static int integer(Map<String, ?> properties, String key, int fallback) {
      Object raw = properties.get(key);
      if (raw == null) {
        return fallback;
      }
      if (raw instanceof Number number) {
        return number.intValue();
      }
      try {
        return Integer.parseInt(raw.toString().trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ": not an integer: '" + raw + "'");
      }
    }
  }

  @Activate
  void activate(BundleContext context, Map<String, Object> properties) throws Exception {
    if (!server.isActive()) {
      throw new IllegalStateException("Artemis broker " + server.getConfiguration().getName()
          + " is not active (a backup?); the MQTT bridge needs the live broker");
    }
    this.context = context;
    Settings settings;
    try {
      settings = Settings.read(properties);
    } catch (IllegalArgumentException e) {
      LOG.error("Configuration {} rejected: {}; starting with the defaults", PID, e.getMessage());
      settings = Settings.read(Map.of());
    }
    start(settings);
  }

  /**
   * A changed configuration: a bad value is rejected (logged with its key) and the running bridge
   * keeps its settings; a good one restarts the bridge with it, and the transport follows.
   */
  @Modified
  void modified(Map<String, Object> properties) throws Exception {
    Settings settings;
    try {
      settings = Settings.read(properties);
    } catch (IllegalArgumentException e) {
      LOG.error("Configuration {} rejected: {}; the running bridge keeps its settings", PID,
          e.getMessage());
      return;
    }
    if (settings.equals(current)) {
      return;
    }
    if (settings.bridge().equals(current.bridge())) {
      registration.setProperties(serviceProperties(settings));
      current = settings;
      return;
    }
    LOG.info("Configuration {} changed; restarting the MQTT bridge to Artemis", PID);
    stop();
    start(settings);
  }

  private void start(Settings settings) throws Exception {
    bridge = new ArtemisBridge(server, settings.bridge());
    registration = context.registerService(MessagingBridge.class, bridge,
        serviceProperties(settings));
    current = settings;
    LOG.info("MQTT bridge to Artemis broker {} registered", server.getConfiguration().getName());
  }

  private Hashtable<String, Object> serviceProperties(Settings settings) {
    Hashtable<String, Object> serviceProperties = new Hashtable<>();
    serviceProperties.put(Constants.SERVICE_RANKING, settings.ranking());
    serviceProperties.put("bridge.name", "artemis");
    return serviceProperties;
  }

  @Deactivate
  void deactivate() {
    stop();
    LOG.info("MQTT bridge to Artemis unregistered");
  }

  private void stop() {
    if (registration != null) {
      registration.unregister(); // the transport switches away first
      registration = null;
    }
    if (bridge != null) {
      bridge.stop();
      bridge = null;
    }
  }
}

package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import java.util.Hashtable;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
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
@Component(name = ArtemisBridgeComponent.PID, configurationPid = ArtemisBridgeComponent.PID,
    service = {})
@Designate(ocd = ArtemisBridgeComponent.Settings.class)
public final class ArtemisBridgeComponent {

  /** The configuration PID. */
  public static final String PID = "dev.courier.mqtt.artemis";

  private static final Logger LOG = LoggerFactory.getLogger(ArtemisBridgeComponent.class);

  /** The bridge's settings (etc/dev.courier.mqtt.artemis.cfg). */
  @ObjectClassDefinition(name = "Courier MQTT Artemis bridge",
      description = "MQTT sessions, subscriptions and messages kept in Apache ActiveMQ Artemis")
  public @interface Settings {
    @AttributeDefinition(description = "Messages one MQTT session takes from Artemis ahead of its"
        + " client; the rest stays in Artemis (paged to disk under its address settings)")
    int deliveryBuffer() default 256;

    @AttributeDefinition(description = "Threads for blocking Artemis calls (creating and"
        + " destroying subscription queues, opening sessions)")
    int threads() default 4;

    @AttributeDefinition(description = "Blocking calls queued before new ones are refused")
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

  @Activate
  void activate(BundleContext context, Settings settings) throws Exception {
    if (!server.isActive()) {
      throw new IllegalStateException("Artemis broker " + server.getConfiguration().getName()
          + " is not active (a backup?); the MQTT bridge needs the live broker");
    }
    bridge = new ArtemisBridge(server, new ArtemisBridgeConfig(settings.deliveryBuffer(),
        settings.threads(), settings.maxPendingOperations(),
        ArtemisBridgeConfig.DEFAULTS.loadTimeoutMillis()));
    Hashtable<String, Object> serviceProperties = new Hashtable<>();
    serviceProperties.put(Constants.SERVICE_RANKING, settings.ranking());
    serviceProperties.put("bridge.name", bridge.name());
    registration = context.registerService(MessagingBridge.class, bridge, serviceProperties);
    LOG.info("MQTT bridge to Artemis broker {} registered", server.getConfiguration().getName());
  }

  @Deactivate
  void deactivate() {
    if (registration != null) {
      registration.unregister(); // the transport switches away first
      registration = null;
    }
    if (bridge != null) {
      bridge.stop();
      bridge = null;
    }
    LOG.info("MQTT bridge to Artemis unregistered");
  }
}

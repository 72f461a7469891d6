package dev.courier.mqtt.transport.spi.auth;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides per topic what an authenticated (or anonymous) client may do. Registered as an OSGi
 * service; the transport uses the highest-ranked one.
 *
 * <p>Contract: called on a transport event loop for every PUBLISH and every SUBSCRIBE filter, so it
 * must be fast and never block: an implementation that can decide from memory returns a completed
 * stage (the transport then continues without a thread hop). A thrown exception, an exceptionally
 * completed stage or no answer within the transport's timeout counts as a refusal.
 *
 * <p>A refused PUBLISH is dropped (QoS 1/2 are still acknowledged, as MQTT 3.1.1 requires) and
 * counted; a refused SUBSCRIBE filter gets return code 0x80.
 *
 * @since 0.2
 */
@ConsumerType
public interface Authorizer {

  /**
   * May this client publish to this topic name?
   *
   * @param client who
   * @param topic a valid topic name
   * @return true to allow
   */
  CompletionStage<Boolean> mayPublish(ClientIdentity client, String topic);

  /**
   * May this client subscribe to this topic filter?
   *
   * @param client who
   * @param filter a valid topic filter, possibly with wildcards
   * @return true to allow
   */
  CompletionStage<Boolean> maySubscribe(ClientIdentity client, String filter);
}

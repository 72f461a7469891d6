package dev.courier.mqtt.transport.spi.bridge;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The transport's side of a session's delivery: the bridge signals it, the transport pulls.
 * Implemented by the transport.
 *
 * @since 0.1
 */
@ProviderType
public interface DeliverySink {

  /**
   * Tells the transport that {@link BridgeSession#poll()} may return messages. Callable from any
   * thread, any number of times; cheap and never blocking (the transport coalesces the signals and
   * polls on the connection's own thread while the client can take more).
   */
  void messagesAvailable();
}

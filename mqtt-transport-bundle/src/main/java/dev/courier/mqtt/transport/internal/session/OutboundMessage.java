package dev.courier.mqtt.transport.internal.session;

import dev.courier.mqtt.transport.spi.bridge.Delivery;

/**
 * A QoS 1 or 2 delivery sent to the client and not yet completed. Owned by the connection's event
 * loop.
 */
public final class OutboundMessage {

  private final Delivery delivery;
  private final int packetId;
  private boolean released;

  OutboundMessage(Delivery delivery, int packetId) {
    this.delivery = delivery;
    this.packetId = packetId;
  }

  /** The delivery being sent. */
  public Delivery delivery() {
    return delivery;
  }

  /** The packet identifier it was sent with. */
  public int packetId() {
    return packetId;
  }

  /** True once PUBREC arrived and PUBREL was sent (QoS 2): only PUBREL is resent from now on. */
  public boolean released() {
    return released;
  }

  /** Records PUBREC: the client has the message; the flow continues with PUBREL. */
  public void markReleased() {
    released = true;
  }
}

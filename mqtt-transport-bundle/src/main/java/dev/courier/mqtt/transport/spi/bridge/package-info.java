/**
 * The bridge SPI: how the MQTT transport hands messaging to a host broker ("Andes style").
 *
 * <p>The transport owns the protocol: connections, packet identifiers, the QoS handshakes with the
 * client, keep-alive and will timing. A {@link dev.courier.mqtt.transport.spi.bridge.MessagingBridge}
 * owns the messaging: routing a {@link dev.courier.mqtt.transport.spi.bridge.Publication} to the
 * sessions whose subscriptions match, storing what must survive (queued messages of persistent
 * sessions, retained messages, subscriptions), and queueing {@link
 * dev.courier.mqtt.transport.spi.bridge.Delivery deliveries} per session until the transport pulls
 * them.
 *
 * <p>Flow control is pull based: the bridge never pushes a message into the transport. It calls
 * {@link dev.courier.mqtt.transport.spi.bridge.DeliverySink#messagesAvailable()} and the transport
 * {@link dev.courier.mqtt.transport.spi.bridge.BridgeSession#poll() polls} on its own thread, only
 * while the client connection is writable and its in-flight window has room. Every bridge queue is
 * bounded.
 *
 * <p>The transport uses the highest-ranked {@code MessagingBridge} service; with none registered it
 * uses its built-in in-memory bridge.
 *
 * @since 0.1
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.7.0")
package dev.courier.mqtt.transport.spi.bridge;

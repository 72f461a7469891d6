package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionPort;
import dev.courier.mqtt.transport.internal.protocol.dialect.PacketWriter;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.internal.session.ClientSession;
import dev.courier.mqtt.transport.internal.session.OutboundMessage;
import dev.courier.mqtt.transport.internal.topic.ReservedTopics;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.internal.protocol.dialect.OutboundProperties;
import dev.courier.mqtt.transport.internal.protocol.dialect.PacketSize;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-to-client delivery of one connection: pulls deliveries from the bridge while the channel
 * is writable and the in-flight window has room, assigns packet identifiers, and completes the QoS 1
 * (PUBACK) and QoS 2 (PUBREC, PUBREL, PUBCOMP) exchanges. Runs on the connection's event loop.
 */
public final class DeliveryFlow {

  private static final Logger LOG = LoggerFactory.getLogger(DeliveryFlow.class);
  /** Deliveries written per drain before yielding the event loop to other connections. */
  private static final int BATCH = 512;

  private final ConnectionPort port;
  private final PacketWriter writer;
  private final int maxInflight;
  private final ClientSession session;
  private final BridgeSession bridgeSession;
  private final String clientId;
  private final ReservedTopics reserved;
  private final int maxPacketSize;
  /** Outbound topic aliases, or null where the client takes none (3.x, or its maximum 0). */
  private final OutboundTopicAliases aliases;

  /** The delivery of a connected client; its sessions are open in {@code context}. */
  public DeliveryFlow(ConnectionContext context) {
    this.port = context.port();
    this.writer = context.writer();
    this.maxInflight = Math.min(context.config().maxInflightMessages(),
        context.negotiated().clientReceiveMaximum());
    this.session = context.session();
    this.bridgeSession = context.bridgeSession();
    this.clientId = context.clientId();
    this.reserved = context.parts().reserved();
    this.maxPacketSize = context.negotiated().clientMaximumPacketSize();
    int aliasMaximum = context.negotiated().clientTopicAliasMaximum();
    // [MQTT-3.1.2-27] no alias to a client whose maximum is absent or 0; 3.x has none.
    this.aliases = writer.hasProperties() && aliasMaximum > 0
        ? new OutboundTopicAliases(clientId, aliasMaximum) : null;
  }

  /**
   * Resends what a resumed session left unacknowledged, with the original packet identifiers
   * [MQTT-4.4.0-1]: PUBLISH with DUP set [MQTT-3.3.1-1], or PUBREL once PUBREC had arrived. A
   * PUBLISH carries its full topic and no alias: aliases start empty on every connection
   * [MQTT-3.3.2-7].
   */
  public void resendInflight() {
    for (OutboundMessage message : session.inflightInOrder()) {
      if (message.released()) {
        port.write(writer.ack(MqttMessageType.PUBREL, message.packetId(), ReasonCode.SUCCESS,
            null));
      } else {
        Delivery delivery = message.delivery();
        port.write(writer.publish(delivery, delivery.topic(), message.packetId(), true,
            properties(delivery, 0, System.currentTimeMillis())));
      }
    }
  }

  /**
   * Writes queued deliveries while the client can take them.
   *
   * @return true if it stopped at the batch limit with more possibly queued
   */
  public boolean drain() {
    return drain(null);
  }

  /**
   * Writes {@code first}, a delivery polled already while the channel was writable and nothing was
   * in flight (the connection's first), then queued deliveries as {@link #drain()} does.
   *
   * @return true if it stopped at the batch limit with more possibly queued
   */
  public boolean drain(Delivery first) {
    long now = System.currentTimeMillis();
    int written = first != null && take(first, now) ? 1 : 0;
    boolean more = false;
    while (port.isWritable() && session.inflightCount() < maxInflight) {
      if (written == BATCH) {
        more = true;
        break;
      }
      Delivery delivery = bridgeSession.poll();
      if (delivery == null) {
        break;
      }
      if (take(delivery, now)) {
        written++;
      }
    }
    if (written > 0) {
      port.flush();
    }
    return more;
  }

  /** Sends a polled delivery, or discards it; returns whether it was written. */
  private boolean take(Delivery delivery, long now) {
    if (reserved.isReserved(delivery.topic())) {
      // Internal state never reaches a client, whatever filter matched it.
      discard(delivery, "the topic is reserved");
      return false;
    }
    if (delivery.properties().expired(now)) {
      discard(delivery, "it expired"); // [MQTT-3.3.2-5] never delivered once expired
      return false;
    }
    return send(delivery, now);
  }

  /**
   * Writes one delivery, with a topic alias where the client takes them and it pays: the first
   * PUBLISH with an alias carries the topic too, later ones an empty topic (section 3.3.2.3.4).
   *
   * @return false if it was discarded as larger than the client's Maximum Packet Size
   */
  private boolean send(Delivery delivery, long now) {
    String topic = delivery.topic();
    int alias = aliases == null ? 0 : aliases.known(topic);
    String sent = alias == 0 ? topic : "";
    int assigned = alias == 0 && aliases != null ? aliases.next(topic) : 0;
    MqttProperties properties = properties(delivery, alias + assigned, now);
    boolean tooLarge = tooLarge(sent, delivery, properties);
    if (tooLarge && assigned != 0) {
      // A new alias adds 3 bytes: without it the packet may still fit.
      assigned = 0;
      properties = properties(delivery, 0, now);
      tooLarge = tooLarge(sent, delivery, properties);
    }
    if (tooLarge) {
      // [MQTT-3.1.2-25] never above the client's Maximum Packet Size: discarded as if sent.
      discard(delivery, "it is larger than the client's maximum packet size");
      return false;
    }
    if (assigned != 0) {
      aliases.assign(topic, assigned);
    }
    if (delivery.qos() == 0) {
      port.write(writer.publish(delivery, sent, 0, false, properties));
    } else {
      OutboundMessage message = session.startDelivery(delivery);
      port.write(writer.publish(delivery, sent, message.packetId(), delivery.redelivery(),
          properties));
    }
    return true;
  }

  /** Whether the PUBLISH, sized as sent, is above the client's Maximum Packet Size. */
  private boolean tooLarge(String sentTopic, Delivery delivery, MqttProperties properties) {
    return maxPacketSize != Integer.MAX_VALUE && PacketSize.publish(sentTopic, delivery.qos(),
        delivery.payload().length, properties) > maxPacketSize;
  }

  /** Takes a delivery that must not reach the client: dropped, and done with in the bridge. */
  private void discard(Delivery delivery, String why) {
    LOG.debug("Client {}: delivery on {} dropped: {}", clientId, delivery.topic(), why);
    if (delivery.qos() > 0) {
      bridgeSession.acknowledge(delivery.tag());
    }
  }

  /** The PUBLISH properties of a delivery, with {@code topicAlias} if not 0 (null on 3.x). */
  private MqttProperties properties(Delivery delivery, int topicAlias, long now) {
    return writer.hasProperties() ? OutboundProperties.publish(delivery.properties(),
        delivery.subscriptionIds(), topicAlias, now) : null;
  }

  /** PUBACK from the client: a QoS 1 delivery is complete. */
  public void onPuback(int packetId) {
    OutboundMessage message = session.complete(packetId);
    if (message == null) {
      LOG.debug("Client {} sent PUBACK for unknown packet id {}", clientId, packetId);
      return;
    }
    bridgeSession.acknowledge(message.delivery().tag());
  }

  /** PUBREC from the client: release the QoS 2 delivery [MQTT-4.3.3-1]. */
  public void onPubrec(int packetId) {
    OutboundMessage message = session.inflight(packetId);
    if (message == null) {
      LOG.debug("Client {} sent PUBREC for unknown packet id {}", clientId, packetId);
    } else {
      message.markReleased();
    }
    port.write(writer.ack(MqttMessageType.PUBREL, packetId, ReasonCode.SUCCESS, null));
  }

  /** PUBCOMP from the client: a QoS 2 delivery is complete. */
  public void onPubcomp(int packetId) {
    OutboundMessage message = session.complete(packetId);
    if (message == null) {
      LOG.debug("Client {} sent PUBCOMP for unknown packet id {}", clientId, packetId);
      return;
    }
    bridgeSession.acknowledge(message.delivery().tag());
  }
}

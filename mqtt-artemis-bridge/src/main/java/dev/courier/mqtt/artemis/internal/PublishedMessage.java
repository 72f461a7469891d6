package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import org.apache.activemq.artemis.core.message.impl.CoreMessage;

/**
 * The Core message of an MQTT publication, as {@link ArtemisMessages#toMessage} builds it, that
 * also keeps the publication's own fields, so that delivering it to MQTT subscribers reads them
 * instead of Artemis's property map (a lookup under a lock each) and the encoded body (a copy).
 *
 * <p>Artemis sees an ordinary Core message: its body and properties are written as for any other,
 * for JMS, AMQP and Core consumers and for the journal. Nothing changes a routed message in place
 * (a divert, an expiry or dead-letter move and a message read back from the journal or a page are
 * copies, plain {@link CoreMessage}s), so the fields stay true to it; the readers in {@link
 * ArtemisMessages} use them only for this class and only where Artemis cannot have changed the
 * value (the expiry, which an address's expiry-delay settings may change, is compared first).
 *
 * <p>The payload is kept only until a queue takes the message ({@link #queued}): a queue may hold
 * it long, and the body has the same bytes; what a clean session's binding delivers meanwhile
 * needs no copy.
 */
final class PublishedMessage extends CoreMessage {

  final String topic;
  final int qos;
  final boolean retain;
  final String publisherId;
  final MessageProperties properties;
  /** What the message counts against a clean session's byte bound: payload and topic. */
  final int size;
  private volatile byte[] payload;

  PublishedMessage(long id, Publication publication) {
    super(id, publication.payload().length + 256);
    this.topic = publication.topic();
    this.qos = publication.qos();
    this.retain = publication.retain();
    this.publisherId = publication.publisherId();
    this.properties = publication.properties();
    this.payload = publication.payload();
    this.size = publication.payload().length + 2 * topic.length();
  }

  /** The publication's payload (shared, never to be modified), or null once a queue holds it. */
  byte[] payload() {
    return payload;
  }

  /** A queue took the message: its body serves from now on. */
  void queued() {
    payload = null;
  }
}

package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.topic.RetainedIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.message.impl.CoreMessage;
import org.apache.activemq.artemis.core.persistence.StorageManager;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retained messages [MQTT-3.3.1-5], stored as records in the Artemis queue {@value #QUEUE} (one per
 * topic, with the MQTT properties of {@link ArtemisMessages}) and indexed by topic in memory.
 *
 * <p>Thread-safe; a retained publication replaces the topic's record, an empty one deletes it
 * [MQTT-3.3.1-10]. Concurrent publications to one topic keep the one indexed last.
 */
final class RetainedStore {

  /** The queue (and address) holding retained messages. */
  static final String QUEUE = TopicMapping.INTERNAL_PREFIX + "retained";

  /**
   * In a cluster, the address on which nodes tell each other about retained messages. Outside
   * {@code $courier.}, which the cluster configuration keeps to each node, and starting with
   * {@code $}, which keeps it out of MQTT wildcards.
   */
  static final String SHARED_ADDRESS = "$courier-cluster.retained";

  private static final SimpleString ORIGIN = SimpleString.of("courier_origin");
  private static final Logger LOG = LoggerFactory.getLogger(RetainedStore.class);

  /** Where a record keeps its expiry (epoch ms): not as its Artemis expiration, which would let
   *  Artemis expire the record itself, or move it to the expiry address. */
  private static final SimpleString EXPIRES_AT = SimpleString.of("courier_expires_at");

  /** A retained message, with its MQTT 5.0 properties and absolute expiry. */
  record Retained(String topic, byte[] payload, int qos, MessageProperties properties,
      String publisherId, long recordId) {}

  private final StorageManager storage;
  private final LongSupplier clock;
  /** The retained messages by topic, in the transport's trie: a wildcard lookup scans no more
   *  than the subtrees its filter can match. */
  private final RetainedIndex<Retained> byTopic = new RetainedIndex<>();
  private RecordQueue records;
  /** Tombstones found while loading: deleted once loading is done. */
  private final List<Long> tombstonesAtLoad = new ArrayList<>();
  private RecordQueue shared;
  private String node;

  RetainedStore(StorageManager storage, LongSupplier clock) {
    this.storage = storage;
    this.clock = clock;
  }

  void open(ActiveMQServer server, long timeoutMillis) throws Exception {
    records = RecordQueue.open(server, QUEUE, this::load, timeoutMillis);
    tombstonesAtLoad.forEach(records::delete);
    tombstonesAtLoad.clear();
  }

  /**
   * Shares retained messages with the other nodes of a cluster: each node has a durable queue on
   * {@value #SHARED_ADDRESS}, so Artemis's cluster connection forwards every node's announcements to
   * every other node (stored and forwarded while one is down), and each node keeps its own copy.
   * Concurrent updates of one topic on two nodes are applied in arrival order on each node.
   */
  void share(ActiveMQServer server) throws Exception {
    node = server.getNodeID().toString();
    shared = RecordQueue.openInbox(server, SHARED_ADDRESS + "." + node, SHARED_ADDRESS,
        this::fromPeer);
  }

  private void fromPeer(Message announcement) {
    Object origin = announcement.getObjectProperty(ORIGIN);
    if (origin == null || origin.toString().equals(node)) {
      return; // our own, already stored
    }
    Publication publication = new Publication(ArtemisMessages.topic(announcement),
        ArtemisMessages.payload(announcement), ArtemisMessages.qos(announcement), true,
        publisher(announcement), properties(announcement));
    try {
      storeHere(publication, null);
    } catch (Exception e) {
      LOG.warn("Could not store the retained message of {} from cluster node {}: {}",
          publication.topic(), origin, e.toString());
    }
  }

  void close() {
    if (records != null) {
      records.close();
    }
    if (shared != null) {
      shared.close();
    }
  }

  /**
   * Indexes a stored retained message, or applies a tombstone (an empty record: the topic was
   * cleared); returns the id of the record it replaces, or 0. Records arrive in the order they
   * were written.
   */
  private long load(Message record) {
    String topic = ArtemisMessages.topic(record);
    byte[] payload = ArtemisMessages.payload(record);
    Retained previous;
    MessageProperties properties = properties(record);
    if (payload.length == 0 || properties.expired(clock.getAsLong())) {
      // a tombstone, or a message that expired meanwhile [MQTT-3.3.2-5]: the topic has none
      previous = byTopic.remove(topic);
      tombstonesAtLoad.add(record.getMessageID());
    } else {
      previous = byTopic.put(topic, new Retained(topic, payload, ArtemisMessages.qos(record),
          properties, publisher(record), record.getMessageID()));
    }
    return previous == null ? 0 : previous.recordId();
  }

  /** The number of retained messages. */
  int size() {
    return byTopic.size();
  }

  /**
   * Stores or (with an empty payload) clears the retained message of a topic, and tells the other
   * cluster nodes if {@link #share shared}.
   */
  void store(Publication publication, Transaction tx) throws Exception {
    storeHere(publication, tx);
    if (shared != null) {
      CoreMessage announcement = record(publication, shared.address());
      announcement.putStringProperty(ORIGIN, SimpleString.of(node));
      shared.write(announcement, tx);
    }
  }

  private void storeHere(Publication publication, Transaction tx) throws Exception {
    String topic = publication.topic();
    Retained previous;
    if (publication.payload().length == 0) {
      previous = unindex(topic);
      if (previous != null) {
        // [MQTT-3.3.1-10] the clear must survive a restart, but deleting the old record is
        // asynchronous (it may not even have reached our consumer yet): a durable tombstone,
        // written with the publication, tells a restart that still finds the old record that
        // the topic was cleared. Both are then deleted, in the order they were written.
        long tombstone = records.write(record(publication, records.address()), tx);
        records.delete(previous.recordId());
        records.delete(tombstone);
        return;
      }
    } else {
      long id = records.write(record(publication, records.address()), tx);
      previous = index(new Retained(topic, publication.payload(), publication.qos(),
          publication.properties(), publication.publisherId(), id));
    }
    if (previous != null) {
      records.delete(previous.recordId());
    }
  }

  /** A durable record of a retained publication, its expiry kept in {@link #EXPIRES_AT}. */
  private CoreMessage record(Publication publication, SimpleString address) {
    CoreMessage record = ArtemisMessages.toMessage(storage.generateID(), publication, address,
        true);
    long expiresAt = publication.properties().expiresAtMillis();
    if (expiresAt != 0) {
      record.setExpiration(0);
      record.putLongProperty(EXPIRES_AT, expiresAt);
    }
    return record;
  }

  private static MessageProperties properties(Message record) {
    Object expiresAt = record.getObjectProperty(EXPIRES_AT);
    return MessagePropertiesMapping.read(record,
        expiresAt instanceof Long at ? at : record.getExpiration());
  }

  private static String publisher(Message record) {
    Object publisher = record.getObjectProperty(ArtemisMessages.CLIENT_ID_KEY);
    return publisher == null ? "cluster" : publisher.toString();
  }

  /** The retained messages whose topic matches an MQTT filter [MQTT-3.3.1-6]. */
  List<Retained> matching(String filter) {
    List<Retained> found = new ArrayList<>();
    byTopic.match(filter, found::add);
    long now = clock.getAsLong();
    for (int i = found.size() - 1; i >= 0; i--) {
      Retained message = found.get(i);
      if (message.properties().expired(now)) {
        found.remove(i); // [MQTT-3.3.2-5] an expired message is retained no longer
        forgetExpired(message);
      }
    }
    return found;
  }

  /** Deletes an expired retained message, unless a newer one replaced it meanwhile. */
  private void forgetExpired(Retained message) {
    synchronized (this) {
      if (byTopic.get(message.topic()) != message) {
        return;
      }
      byTopic.remove(message.topic());
    }
    records.delete(message.recordId());
  }

  // Index writes hold this store's monitor (uncontended but for one topic's concurrent
  // publishers), so that forgetting an expired message never removes a newer one.
  private synchronized Retained index(Retained message) {
    return byTopic.put(message.topic(), message);
  }

  private synchronized Retained unindex(String topic) {
    return byTopic.remove(topic);
  }

}

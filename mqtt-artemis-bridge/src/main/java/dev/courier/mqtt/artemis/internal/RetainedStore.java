package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.Publication;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

  /** A retained message. */
  record Retained(String topic, byte[] payload, int qos, long recordId) {}

  private final StorageManager storage;
  private final Map<String, Retained> byTopic = new ConcurrentHashMap<>();
  private RecordQueue records;
  private RecordQueue shared;
  private String node;

  RetainedStore(StorageManager storage) {
    this.storage = storage;
  }

  void open(ActiveMQServer server, long timeoutMillis) throws Exception {
    records = RecordQueue.open(server, QUEUE, this::load, timeoutMillis);
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
    Object publisher = announcement.getObjectProperty(ArtemisMessages.CLIENT_ID);
    Publication publication = new Publication(ArtemisMessages.topic(announcement),
        ArtemisMessages.payload(announcement), ArtemisMessages.qos(announcement), true,
        publisher == null ? "cluster" : publisher.toString());
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

  /** Indexes a stored retained message; returns the id of the one it replaces, or 0. */
  private long load(Message record) {
    String topic = ArtemisMessages.topic(record);
    Retained previous = byTopic.put(topic, new Retained(topic, ArtemisMessages.payload(record),
        ArtemisMessages.qos(record), record.getMessageID()));
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
      CoreMessage announcement = ArtemisMessages.toMessage(storage.generateID(), publication,
          shared.address(), true);
      announcement.putStringProperty(ORIGIN, SimpleString.of(node));
      shared.write(announcement, tx);
    }
  }

  private void storeHere(Publication publication, Transaction tx) throws Exception {
    String topic = publication.topic();
    Retained previous;
    if (publication.payload().length == 0) {
      previous = byTopic.remove(topic);
    } else {
      long id = records.write(ArtemisMessages.toMessage(storage.generateID(), publication,
          records.address(), true), tx);
      previous = byTopic.put(topic, new Retained(topic, publication.payload(), publication.qos(),
          id));
    }
    if (previous != null) {
      records.delete(previous.recordId());
    }
  }

  /** The retained messages whose topic matches an MQTT filter. */
  List<Retained> matching(String filter) {
    if (filter.indexOf('+') < 0 && filter.indexOf('#') < 0) {
      Retained exact = byTopic.get(filter);
      return exact == null ? List.of() : List.of(exact);
    }
    // A wildcard filter looks at every retained topic: fine for thousands, a topic tree for more.
    List<Retained> found = new ArrayList<>();
    for (Retained retained : byTopic.values()) {
      if (TopicMapping.matches(filter, retained.topic())) {
        found.add(retained);
      }
    }
    return found;
  }
}

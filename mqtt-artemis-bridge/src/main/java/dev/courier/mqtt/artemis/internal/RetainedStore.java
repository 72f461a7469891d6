package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.topic.RetainedIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>Bounds ({@link dev.courier.mqtt.transport.spi.bridge.MessagingBridge#limitRetained}): a
 * message counts its payload and topic, as in the in-memory bridge; a publication for a new topic
 * must fit both bounds, one replacing a topic's message only its growth; clearing always works.
 * Room is reserved before the record is written and released once it is indexed, so concurrent
 * publishers never take the store over a bound (near one, a race may refuse what would have
 * fitted). A refusal is counted and logged (the first, then every {@value #LOG_EVERY}th). Updates
 * from other cluster nodes are applied whatever the bounds (each node bounds its own publishers),
 * and so are the records loaded at start.
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
  /** Refusals log the first and then every this many. */
  static final int LOG_EVERY = 10_000;

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
  private volatile long maxMessages = Long.MAX_VALUE;
  private volatile long maxBytes = Long.MAX_VALUE;
  /** Bytes of the indexed messages; written under this store's monitor. */
  private volatile long bytes;
  /** Room reserved by publications on their way to the index; under this store's monitor. */
  private long reservedTopics;
  private long reservedBytes;
  private final AtomicLong refused = new AtomicLong();

  /** Room held for one retained publication until it is indexed. */
  private record Reservation(boolean newTopic, long growth) {}

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
      storeHere(publication, null, false);
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
      previous = unindex(topic);
      tombstonesAtLoad.add(record.getMessageID());
    } else {
      previous = index(new Retained(topic, payload, ArtemisMessages.qos(record), properties,
          publisher(record), record.getMessageID()));
    }
    return previous == null ? 0 : previous.recordId();
  }

  /** The number of retained messages. */
  int size() {
    return byTopic.size();
  }

  /** Bytes of the retained messages held (payload and topic of each). */
  long bytes() {
    return bytes;
  }

  /** Retained publications refused because a bound was reached, since start. */
  long refused() {
    return refused.get();
  }

  /** The bounds in force from now on; nothing held is removed. */
  void limit(long messages, long byteBound) {
    this.maxMessages = messages;
    this.maxBytes = byteBound;
  }

  /**
   * Stores or (with an empty payload) clears the retained message of a topic, and tells the other
   * cluster nodes if {@link #share shared}; refuses (and changes nothing) if over a bound.
   *
   * @return false if refused
   */
  boolean store(Publication publication, Transaction tx) throws Exception {
    if (!storeHere(publication, tx, true)) {
      return false;
    }
    if (shared != null) {
      CoreMessage announcement = record(publication, shared.address());
      announcement.putStringProperty(ORIGIN, SimpleString.of(node));
      shared.write(announcement, tx);
    }
    return true;
  }

  /**
   * Stores or clears on this node only.
   *
   * @param bounded whether the bounds apply (not to other nodes' updates)
   * @return false if refused
   */
  private boolean storeHere(Publication publication, Transaction tx, boolean bounded)
      throws Exception {
    if (publication.payload().length == 0) {
      clear(publication, tx);
      return true;
    }
    Reservation reservation = bounded ? reserve(publication) : null;
    if (bounded && reservation == null) {
      return false;
    }
    try {
      long id = records.write(record(publication, records.address()), tx);
      Retained previous = index(new Retained(publication.topic(), publication.payload(),
          publication.qos(), publication.properties(), publication.publisherId(), id));
      if (previous != null) {
        records.delete(previous.recordId());
      }
      return true;
    } finally {
      if (reservation != null) {
        release(reservation);
      }
    }
  }

  /** What a retained message weighs against {@code maxRetainedBytes}: payload and topic. */
  private static long bytesOf(String topic, byte[] payload) {
    return (long) payload.length + topic.length();
  }

  private static long bytesOf(Retained message) {
    return message == null ? 0 : bytesOf(message.topic(), message.payload());
  }

  /** Reserves room for a publication below both bounds, or counts and logs its refusal. */
  private synchronized Reservation reserve(Publication publication) {
    Retained previous = byTopic.get(publication.topic());
    long growth = bytesOf(publication.topic(), publication.payload()) - bytesOf(previous);
    boolean newTopic = previous == null;
    String bound = newTopic && byTopic.size() + reservedTopics >= maxMessages
        ? "maxRetainedMessages"
        : growth > 0 && bytes + reservedBytes + growth > maxBytes ? "maxRetainedBytes" : null;
    if (bound != null) {
      refuse(publication, bound);
      return null;
    }
    Reservation reservation = new Reservation(newTopic, Math.max(growth, 0));
    reservedTopics += newTopic ? 1 : 0;
    reservedBytes += reservation.growth();
    return reservation;
  }

  private synchronized void release(Reservation reservation) {
    reservedTopics -= reservation.newTopic() ? 1 : 0;
    reservedBytes -= reservation.growth();
  }

  private void refuse(Publication publication, String bound) {
    long count = refused.incrementAndGet();
    if (count == 1 || count % LOG_EVERY == 0) {
      LOG.warn("Retained message of client {} on {} refused: {} reached ({} retained messages, {}"
          + " bytes; maxRetainedMessages {}, maxRetainedBytes {}); {} refused so far",
          publication.publisherId(), publication.topic(), bound, byTopic.size(), bytes,
          maxMessages, maxBytes, count);
    }
  }

  /** Clears a topic's retained message [MQTT-3.3.1-10]; always allowed. */
  private void clear(Publication publication, Transaction tx) throws Exception {
    Retained previous = unindex(publication.topic());
    if (previous != null) {
      // [MQTT-3.3.1-10] the clear must survive a restart, but deleting the old record is
      // asynchronous (it may not even have reached our consumer yet): a durable tombstone,
      // written with the publication, tells a restart that still finds the old record that
      // the topic was cleared. Both are then deleted, in the order they were written.
      long tombstone = records.write(record(publication, records.address()), tx);
      records.delete(previous.recordId());
      records.delete(tombstone);
    }
  }


  /** A durable record of a retained publication, its expiry kept in {@link #EXPIRES_AT}. */
  private CoreMessage record(Publication publication, SimpleString address) {
    PublishedMessage record = ArtemisMessages.toMessage(storage.generateID(), publication,
        address, true);
    record.queued(); // a record stays in its queue: its body alone holds the payload
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
      unindex(message.topic());
    }
    records.delete(message.recordId());
  }

  // Index writes hold this store's monitor (uncontended but for one topic's concurrent
  // publishers), so that forgetting an expired message never removes a newer one.
  private synchronized Retained index(Retained message) {
    Retained previous = byTopic.put(message.topic(), message);
    bytes += bytesOf(message) - bytesOf(previous);
    return previous;
  }

  private synchronized Retained unindex(String topic) {
    Retained previous = byTopic.remove(topic);
    bytes -= bytesOf(previous);
    return previous;
  }

}

package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.Publication;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.core.persistence.StorageManager;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.transaction.Transaction;

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

  /** A retained message. */
  record Retained(String topic, byte[] payload, int qos, long recordId) {}

  private final StorageManager storage;
  private final Map<String, Retained> byTopic = new ConcurrentHashMap<>();
  private RecordQueue records;

  RetainedStore(StorageManager storage) {
    this.storage = storage;
  }

  void open(ActiveMQServer server, long timeoutMillis) throws Exception {
    records = RecordQueue.open(server, QUEUE, this::load, timeoutMillis);
  }

  void close() {
    if (records != null) {
      records.close();
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

  /** Stores or (with an empty payload) clears the retained message of a topic. */
  void store(Publication publication, Transaction tx) throws Exception {
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

package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.message.impl.CoreMessage;
import org.apache.activemq.artemis.core.persistence.StorageManager;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.transaction.Transaction;

/**
 * The state of persistent MQTT sessions, stored as records in the Artemis queue {@value #QUEUE}:
 * one record that the session exists (with its expiry interval and, while its client is away, since
 * when), one per subscription (filter, QoS and MQTT 5.0 options, the
 * Subscription Identifier among them, and the ShareName of a shared subscription), and one per QoS 2
 * packet identifier awaiting PUBREL. The queues holding a session's messages are ordinary durable
 * Artemis queues (see {@link ArtemisBridge#queueName}); these records say what they mean to MQTT.
 *
 * <p>Thread-safe: a session's records are written by the bridge's thread for that session and read
 * when the session is opened.
 */
final class SessionStore {

  /** The queue (and address) holding the records. */
  static final String QUEUE = TopicMapping.INTERNAL_PREFIX + "sessions";

  private static final SimpleString KIND = SimpleString.of("courier_kind");
  private static final SimpleString CLIENT = SimpleString.of("courier_client");
  private static final SimpleString FILTER = SimpleString.of("courier_filter");
  private static final SimpleString QOS = SimpleString.of("courier_qos");
  private static final SimpleString PACKET = SimpleString.of("courier_packet");
  private static final SimpleString NO_LOCAL = SimpleString.of("courier_no_local");
  private static final SimpleString RETAIN_AS_PUBLISHED = SimpleString.of("courier_rap");
  private static final SimpleString RETAIN_HANDLING = SimpleString.of("courier_retain_handling");
  private static final SimpleString SUBSCRIPTION_ID = SimpleString.of("courier_subscription_id");
  /** The ShareName of a shared subscription (since SPI 0.5); absent for an ordinary one. */
  private static final SimpleString SHARE_NAME = SimpleString.of("courier_share_name");
  private static final SimpleString EXPIRY = SimpleString.of("courier_expiry_seconds");
  private static final SimpleString DETACHED_AT = SimpleString.of("courier_detached_at");
  private static final SimpleString KIND_SESSION = SimpleString.of("session");
  private static final SimpleString KIND_SUBSCRIPTION = SimpleString.of("subscription");
  private static final SimpleString KIND_AWAITING = SimpleString.of("awaiting_release");

  /** What is stored of one client's session. */
  static final class Stored {
    final String clientId;
    volatile long sessionRecord;
    /** The session expiry interval, seconds (section 3.1.2.11); records before 0.4: never. */
    volatile long expirySeconds = SessionRequest.NEVER;
    /** When the client went away (epoch ms), or 0 while connected. */
    volatile long detachedAt;
    /** Subscription key ({@link SubscriptionRequest#key()}) to subscription. */
    final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    /** QoS 2 packet id to record id. */
    final Map<Integer, Long> awaitingRelease = new ConcurrentHashMap<>();

    Stored(String clientId) {
      this.clientId = clientId;
    }

    /**
     * When the session expires (epoch ms) if it is not resumed, counting from {@code since} if it
     * is not known to be detached; {@link Long#MAX_VALUE} for never.
     */
    long expiresAt(long since) {
      long interval = expirySeconds;
      if (interval >= SessionRequest.NEVER) {
        return Long.MAX_VALUE;
      }
      return (detachedAt != 0 ? detachedAt : since) + interval * 1000;
    }
  }

  /** A stored subscription: its filter, QoS and options, as subscribed. */
  record Subscription(SubscriptionRequest request, long recordId) {}

  private final StorageManager storage;
  private final Map<String, Stored> byClient = new ConcurrentHashMap<>();
  private RecordQueue records;

  SessionStore(StorageManager storage) {
    this.storage = storage;
  }

  /** Opens the record queue and loads every stored session. */
  void open(ActiveMQServer server, long timeoutMillis) throws Exception {
    records = RecordQueue.open(server, QUEUE, this::load, timeoutMillis);
  }

  void close() {
    if (records != null) {
      records.close();
    }
  }

  /** The number of stored sessions. */
  int size() {
    return byClient.size();
  }

  /** Indexes a stored record; returns the id of a record it replaces, or 0. */
  private long load(Message record) {
    Object kind = record.getObjectProperty(KIND);
    Object client = record.getObjectProperty(CLIENT);
    if (kind == null || client == null) {
      return 0; // not ours; left alone
    }
    Stored stored = byClient.computeIfAbsent(client.toString(), Stored::new);
    long id = record.getMessageID();
    switch (kind.toString()) {
      case "session" -> {
        long previous = stored.sessionRecord;
        stored.sessionRecord = id;
        stored.expirySeconds = record.getObjectProperty(EXPIRY) instanceof Long expiry
            ? expiry : SessionRequest.NEVER;
        stored.detachedAt = record.getObjectProperty(DETACHED_AT) instanceof Long at ? at : 0;
        return previous;
      }
      case "subscription" -> {
        SubscriptionRequest request = subscription(record);
        Subscription previous = stored.subscriptions.put(request.key(),
            new Subscription(request, id));
        return previous == null ? 0 : previous.recordId();
      }
      case "awaiting_release" -> {
        Long previous = stored.awaitingRelease.put(record.getIntProperty(PACKET), id);
        return previous == null ? 0 : previous;
      }
      default -> {
        return 0;
      }
    }
  }

  /** The stored session of a client, or null. */
  Stored get(String clientId) {
    return byClient.get(clientId);
  }

  /**
   * Stores that a client has a persistent session, connected, with an expiry interval (durable
   * when the thread's storage completes).
   */
  Stored create(String clientId, long expirySeconds) throws Exception {
    Stored stored = byClient.computeIfAbsent(clientId, Stored::new);
    if (stored.sessionRecord == 0) {
      stored.expirySeconds = expirySeconds;
      stored.sessionRecord = records.write(sessionRecord(stored), null);
    }
    return stored;
  }

  /**
   * Journals the session's expiry interval and whether (since when) its client is away, replacing
   * its session record; nothing for a session deleted meanwhile.
   *
   * @param detachedAt epoch ms the client went away, or 0 when it is connected
   */
  void update(Stored stored, long expirySeconds, long detachedAt) throws Exception {
    long previous = stored.sessionRecord;
    if (previous == 0 || (stored.expirySeconds == expirySeconds
        && stored.detachedAt == detachedAt)) {
      return;
    }
    stored.expirySeconds = expirySeconds;
    stored.detachedAt = detachedAt;
    stored.sessionRecord = records.write(sessionRecord(stored), null);
    records.delete(previous);
  }

  private CoreMessage sessionRecord(Stored stored) {
    CoreMessage record = record(KIND_SESSION, stored.clientId);
    record.putLongProperty(EXPIRY, stored.expirySeconds);
    if (stored.detachedAt != 0) {
      record.putLongProperty(DETACHED_AT, stored.detachedAt);
    }
    return record;
  }

  /** Every stored session, for the expiry check at start. */
  java.util.Collection<Stored> all() {
    return byClient.values();
  }

  /**
   * A stored subscription record (options absent in records before 0.4: the defaults; no ShareName
   * before 0.5: not shared).
   */
  private static SubscriptionRequest subscription(Message record) {
    Object shareName = record.getObjectProperty(SHARE_NAME);
    return new SubscriptionRequest(record.getStringProperty(FILTER), record.getIntProperty(QOS),
        Boolean.TRUE.equals(record.getObjectProperty(NO_LOCAL)),
        Boolean.TRUE.equals(record.getObjectProperty(RETAIN_AS_PUBLISHED)),
        record.getObjectProperty(RETAIN_HANDLING) instanceof Integer rh ? rh : 0,
        record.getObjectProperty(SUBSCRIPTION_ID) instanceof Integer id ? id : 0,
        shareName == null ? null : shareName.toString());
  }

  /** Stores a subscription with its options, replacing one with the same key. */
  void subscribe(Stored stored, SubscriptionRequest request) throws Exception {
    String filter = request.filter();
    Subscription current = stored.subscriptions.get(request.key());
    if (current != null && current.request().equals(request)) {
      return;
    }
    CoreMessage record = record(KIND_SUBSCRIPTION, stored.clientId);
    record.putStringProperty(FILTER, SimpleString.of(filter));
    record.putIntProperty(QOS, request.qos());
    if (request.noLocal()) {
      record.putBooleanProperty(NO_LOCAL, true);
    }
    if (request.retainAsPublished()) {
      record.putBooleanProperty(RETAIN_AS_PUBLISHED, true);
    }
    if (request.retainHandling() != 0) {
      record.putIntProperty(RETAIN_HANDLING, request.retainHandling());
    }
    if (request.subscriptionId() != 0) {
      record.putIntProperty(SUBSCRIPTION_ID, request.subscriptionId());
    }
    if (request.shared()) {
      record.putStringProperty(SHARE_NAME, SimpleString.of(request.shareName()));
    }
    long id = records.write(record, null);
    Subscription previous = stored.subscriptions.put(request.key(),
        new Subscription(request, id));
    if (previous != null) {
      records.delete(previous.recordId());
    }
  }

  /**
   * Deletes a stored subscription, by its key ({@link SubscriptionRequest#key()}).
   *
   * @return whether one was stored
   */
  boolean unsubscribe(Stored stored, String key) {
    Subscription previous = stored.subscriptions.remove(key);
    if (previous == null) {
      return false;
    }
    records.delete(previous.recordId());
    return true;
  }

  /** Records a QoS 2 packet id awaiting PUBREL, inside the publication's transaction. */
  void awaitRelease(Stored stored, int packetId, Transaction tx) throws Exception {
    CoreMessage record = record(KIND_AWAITING, stored.clientId);
    record.putIntProperty(PACKET, packetId);
    long id = records.write(record, tx);
    Long previous = stored.awaitingRelease.put(packetId, id);
    if (previous != null) {
      records.delete(previous);
    }
  }

  /** PUBREL: forgets a packet id. */
  void release(Stored stored, int packetId) {
    Long previous = stored.awaitingRelease.remove(packetId);
    if (previous != null) {
      records.delete(previous);
    }
  }

  /** Deletes everything stored of a client's session. */
  void delete(Stored stored) {
    byClient.remove(stored.clientId, stored);
    stored.subscriptions.values().forEach(s -> records.delete(s.recordId()));
    stored.subscriptions.clear();
    stored.awaitingRelease.values().forEach(records::delete);
    stored.awaitingRelease.clear();
    long session = stored.sessionRecord;
    stored.sessionRecord = 0;
    if (session != 0) {
      records.delete(session);
    }
  }

  private CoreMessage record(SimpleString kind, String clientId) {
    CoreMessage record = new CoreMessage(storage.generateID(), 256);
    record.putStringProperty(KIND, kind);
    record.putStringProperty(CLIENT, SimpleString.of(clientId));
    return record;
  }
}

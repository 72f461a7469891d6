package dev.courier.mqtt.artemis.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.filter.Filter;
import org.apache.activemq.artemis.core.postoffice.PostOffice;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.HandleStatus;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.persistence.StorageManager;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.apache.activemq.artemis.core.transaction.impl.TransactionImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable Artemis queue used as a store of small records (retained messages, session state) that
 * the bridge keeps indexed in memory by message id.
 *
 * <p>Every message in the queue is taken by this consumer once and then stays "delivering" (held,
 * never acknowledged) until the record is deleted with {@link #delete}, which acknowledges it: the
 * journal holds the records, the bridge's indexes hold their ids. After a restart Artemis loads the
 * messages again and {@link #open} hands each to a loader before returning, so the indexes are
 * rebuilt before the bridge serves anyone.
 *
 * <p>Thread-safe. A record may be deleted before Artemis has handed it to this consumer (both are
 * asynchronous): the deletion is then remembered and done on arrival.
 */
final class RecordQueue implements org.apache.activemq.artemis.core.server.Consumer {

  private static final AtomicLong IDS = new AtomicLong(Long.MIN_VALUE / 2);

  private final Queue queue;
  private final PostOffice postOffice;
  private final StorageManager storage;
  private final long id = IDS.incrementAndGet();
  private final Map<Long, MessageReference> held = new ConcurrentHashMap<>();
  private final Set<Long> deleteOnArrival = ConcurrentHashMap.newKeySet();
  private final AtomicLong loadedCount = new AtomicLong();
  private final CountDownLatch loaded = new CountDownLatch(1);
  private volatile ToLongFunction<Message> loader;
  private volatile boolean closed;
  /** For an inbox: takes each message, which is then acknowledged (deleted). */
  private java.util.function.Consumer<Message> inbox;
  /** Records that a loaded record supersedes (left by a crash between write and delete). */
  private final List<Long> supersededAtLoad = new java.util.ArrayList<>();
  private volatile long loadTarget = Long.MAX_VALUE;
  private static final Logger LOG = LoggerFactory.getLogger(RecordQueue.class);
  /** How often loading checks whether Artemis has anything left to hand over. */
  private static final long LOAD_CHECK_MILLIS = 500;

  private RecordQueue(Queue queue, ActiveMQServer server, ToLongFunction<Message> loader) {
    this.queue = queue;
    this.postOffice = server.getPostOffice();
    this.storage = server.getStorageManager();
    this.loader = loader;
  }

  /**
   * Creates the queue (on an address of the same name) if absent, and hands every record already in
   * it to {@code loader} before returning.
   *
   * @param loader called once per stored record, in queue order, on an Artemis thread; returns the
   *     id of an earlier record that this one replaces (deleted once loading is done), or 0
   */
  static RecordQueue open(ActiveMQServer server, String name, ToLongFunction<Message> loader,
      long timeoutMillis) throws Exception {
    Queue queue = durableQueue(server, name, name);
    RecordQueue records = new RecordQueue(queue, server, loader);
    long existing = queue.getMessageCount();
    queue.addConsumer(records);
    records.awaitLoaded(existing, timeoutMillis);
    return records;
  }

  /**
   * Opens a durable queue on {@code address} (created if absent) as an inbox: every message routed
   * to it is handed to {@code inbox} on an Artemis thread and then deleted.
   */
  static RecordQueue openInbox(ActiveMQServer server, String name, String address,
      java.util.function.Consumer<Message> inbox) throws Exception {
    Queue queue = durableQueue(server, name, address);
    RecordQueue records = new RecordQueue(queue, server, null);
    records.inbox = inbox;
    queue.addConsumer(records);
    queue.deliverAsync();
    return records;
  }

  /** The durable multicast queue {@code name} on {@code address}, created if absent. */
  private static Queue durableQueue(ActiveMQServer server, String name, String address)
      throws Exception {
    SimpleString queueName = SimpleString.of(name);
    Queue queue = server.locateQueue(queueName);
    if (queue == null) {
      queue = server.createQueue(QueueConfiguration.of(queueName).setAddress(address)
          .setRoutingType(RoutingType.MULTICAST).setDurable(true).setAutoCreateAddress(true)
          .setAutoCreated(false), true);
    }
    return queue;
  }

  private void awaitLoaded(long count, long timeoutMillis) throws InterruptedException {
    loadTarget = count;
    if (loadedCount.get() >= count) {
      loaded.countDown();
    }
    queue.deliverAsync();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!loaded.await(LOAD_CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
      // The count taken at open may include a record deleted since (an acknowledgement that was
      // still under way): it never arrives. Loading is complete once Artemis has nothing left to
      // hand over and every delivery under way has reached us.
      queue.flushExecutor();
      if (loaded.getCount() == 0 || undelivered() == 0) {
        if (loaded.getCount() != 0) {
          LOG.info("{}: {} of {} counted records loaded, none left to deliver", queue.getName(),
              loadedCount.get(), count);
        }
        break;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new IllegalStateException("Loaded only " + loadedCount.get() + " of " + count
            + " records of " + queue.getName() + " in " + timeoutMillis + " ms");
      }
    }
    loader = null;
    synchronized (supersededAtLoad) {
      supersededAtLoad.forEach(this::delete);
      supersededAtLoad.clear();
    }
  }

  /** Messages in the queue that no consumer has been handed yet. */
  private long undelivered() {
    return queue.getMessageCount() - queue.getDeliveringCount();
  }

  /** The queue's address, to which {@link #write} sends. */
  SimpleString address() {
    return queue.getAddress();
  }

  /** The number of records stored. */
  long size() {
    return queue.getMessageCount();
  }

  /**
   * Stores a record: routes a durable message to this queue, inside {@code tx} if given. Durable
   * when the calling thread's storage operations complete (or the transaction commits).
   *
   * @return the record's id (the message id) for {@link #delete}
   */
  long write(Message record, Transaction tx) throws Exception {
    record.setAddress(queue.getAddress());
    record.setDurable(true);
    if (tx == null) {
      postOffice.route(record, false);
    } else {
      postOffice.route(record, tx, false);
    }
    return record.getMessageID();
  }

  /** Deletes a record durably; an unknown id is remembered and deleted when it arrives. */
  void delete(long recordId) {
    MessageReference reference = held.remove(recordId);
    if (reference == null) {
      deleteOnArrival.add(recordId);
      reference = held.remove(recordId); // it may have arrived in between
      if (reference == null || !deleteOnArrival.remove(recordId)) {
        return;
      }
    }
    acknowledge(reference);
  }

  private void acknowledge(MessageReference reference) {
    try {
      queue.acknowledge(reference);
    } catch (Exception e) {
      throw new IllegalStateException("Could not delete a record of " + queue.getName(), e);
    }
  }

  /**
   * Stops holding records (the bridge is going away): they go back to the queue, stored, so that
   * the next bridge on this broker loads them again.
   */
  void close() {
    // Let records on their way here arrive first, so that deletions waiting for them happen now,
    // while the journal still runs.
    queue.flushExecutor();
    closed = true;
    queue.removeConsumer(this);
    // A delivery already under way when we closed ends in proceedDeliver (given back or deleted):
    // let it end now, so that the queue's count is final when the next bridge opens it.
    queue.flushExecutor();
    List<MessageReference> records = new java.util.ArrayList<>(held.values());
    held.clear();
    giveBack(records);
    // Deleted before Artemis handed them over: delete them in the queue itself, so that they do not
    // come back at the next start (one still on its way here is deleted on arrival).
    for (Long recordId : List.copyOf(deleteOnArrival)) {
      try {
        if (queue.deleteReference(recordId)) {
          deleteOnArrival.remove(recordId);
        }
      } catch (Exception e) {
        throw new IllegalStateException("Could not delete a record of " + queue.getName(), e);
      }
    }
  }

  private void giveBack(List<MessageReference> records) {
    if (!records.isEmpty()) {
      Transaction tx = new TransactionImpl(storage);
      records.forEach(record -> queue.cancel(tx, record, true));
      try {
        tx.rollback(); // back to the queue as they were
      } catch (Exception e) {
        throw new IllegalStateException("Could not return the records of " + queue.getName(), e);
      }
    }
  }

  @Override
  public HandleStatus handle(MessageReference reference) {
    if (closed) {
      return HandleStatus.BUSY;
    }
    reference.handled();
    return HandleStatus.HANDLED;
  }

  @Override
  public void proceedDeliver(MessageReference reference) {
    if (closed) {
      if (deleteOnArrival.remove(reference.getMessageID())) {
        acknowledge(reference);
      } else {
        giveBack(List.of(reference)); // taken while closing: the next bridge loads it
      }
      return;
    }
    if (inbox != null) {
      try {
        inbox.accept(reference.getMessage());
      } finally {
        acknowledge(reference);
      }
      return;
    }
    long recordId = reference.getMessageID();
    ToLongFunction<Message> load = loader;
    if (load != null) {
      long superseded = load.applyAsLong(reference.getMessage());
      if (superseded != 0) {
        synchronized (supersededAtLoad) {
          supersededAtLoad.add(superseded);
        }
      }
    }
    if (deleteOnArrival.remove(recordId)) {
      acknowledge(reference);
    } else {
      held.put(recordId, reference);
      if (deleteOnArrival.remove(recordId) && held.remove(recordId) != null) {
        acknowledge(reference);
      }
    }
    if (load != null && loadedCount.incrementAndGet() >= loadTarget) {
      loaded.countDown();
    }
  }

  @Override
  public boolean supportsDirectDelivery() {
    return false; // taken on the queue's own executor, never on the router's thread
  }

  @Override
  public Filter getFilter() {
    return null;
  }

  @Override
  public List<MessageReference> getDeliveringMessages() {
    return List.copyOf(held.values());
  }

  @Override
  public String debug() {
    return toManagementString();
  }

  @Override
  public String toManagementString() {
    return "Courier MQTT record store on " + queue.getName();
  }

  @Override
  public void disconnect() {
    close();
  }

  @Override
  public void failed(Throwable t) {
    close();
  }

  @Override
  public long sequentialID() {
    return id;
  }
}

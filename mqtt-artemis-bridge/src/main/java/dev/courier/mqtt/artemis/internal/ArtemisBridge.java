package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.PublishResult;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.topic.TopicFilters;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.WildcardConfiguration;
import org.apache.activemq.artemis.core.io.IOCallback;
import org.apache.activemq.artemis.core.paging.PagingManager;
import org.apache.activemq.artemis.core.paging.PagingStore;
import org.apache.activemq.artemis.core.postoffice.RoutingStatus;
import org.apache.activemq.artemis.core.persistence.OperationContext;
import org.apache.activemq.artemis.core.persistence.StorageManager;
import org.apache.activemq.artemis.core.postoffice.PostOffice;
import org.apache.activemq.artemis.core.postoffice.impl.AddressImpl;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.RoutingContext;
import org.apache.activemq.artemis.core.server.impl.AddressInfo;
import org.apache.activemq.artemis.core.server.impl.RoutingContextImpl;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.apache.activemq.artemis.core.transaction.impl.TransactionImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's bridge SPI on Artemis's core server, in the same JVM: publications are routed by
 * Artemis's post office, subscriptions are Artemis queues, and Artemis's journal stores what must
 * survive.
 *
 * <ul>
 *   <li>MQTT topic {@code a/b/c} is the multicast address {@code a.b.c} ({@link TopicMapping}); a
 *       subscription to filter {@code a/+/#} is a queue bound to {@code a.*.#}, named by {@link
 *       #queueName}: durable for a persistent session, non-durable for a clean one, destroyed with
 *       the session or the subscription.
 *   <li>QoS 1 and 2 publications are durable messages; {@link #publish} completes once the journal
 *       has them (a message that reaches only non-durable queues completes at once).
 *   <li>Retained messages and persistent session state are records in internal queues ({@link
 *       RetainedStore}, {@link SessionStore}).
 *   <li>A shared subscription's group ({@code $share/g/a/+}) is one durable queue bound as {@code
 *       a/+}'s would be, consumed by every attached member ({@link SharedGroups}).
 *   <li>The transport's bounds: {@code maxQueuedMessages} and {@code maxQueuedBytes} for each
 *       subscription queue of a session ({@link ArtemisSession}, {@link QueueLimit}), {@code
 *       maxRetainedMessages} and {@code maxRetainedBytes} for the retained store ({@link
 *       #limitRetained}); what they drop or refuse is counted ({@link #droppedMessages}, {@link
 *       #refusedRetained}).
 * </ul>
 *
 * <p>Blocking calls into Artemis (creating and destroying queues, which sync the bindings journal)
 * run on a bounded executor owned by the bridge; publishing and delivering never block.
 */
public final class ArtemisBridge implements MessagingBridge {

  /** Routed to at least one queue, or stored (shared, never completed again). */
  static final CompletableFuture<PublishResult> ACCEPTED =
      CompletableFuture.completedFuture(PublishResult.ACCEPTED);
  /** Routed to no queue: no subscription and no Core/JMS consumer queue on the address. */
  static final CompletableFuture<PublishResult> NO_MATCH =
      CompletableFuture.completedFuture(PublishResult.NO_MATCHING_SUBSCRIBERS);
  /** A retained publication refused for the retained bounds: neither stored nor routed. */
  static final CompletableFuture<PublishResult> REFUSED =
      CompletableFuture.completedFuture(PublishResult.QUOTA_EXCEEDED);

  private static final Logger LOG = LoggerFactory.getLogger(ArtemisBridge.class);
  private static final String QUEUE_PREFIX = "courier.mqtt.";
  /** How long {@link #stop} waits for operations already submitted to finish. */
  private static final long STOP_WAIT_SECONDS = 10;
  /** How often detached sessions are checked for expiry. */
  static final long SWEEP_MILLIS = 1000;

  private final ActiveMQServer server;
  private final PostOffice postOffice;
  private final StorageManager storage;
  private final PagingManager paging;
  private final ArtemisBridgeConfig config;
  private final SessionStore sessions;
  private final RetainedStore retained;
  private final SessionLifecycle lifecycle;
  private final SharedGroups groups;
  private final SubscriptionFence fence = new SubscriptionFence();
  private final Map<String, SimpleString> addresses = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor executor;
  private volatile boolean stopped;
  private final List<String> reservedTopics;
  private final LongSupplier clock;
  private final LongAdder dropped = new LongAdder();
  private final boolean bindsDirectly;

  /**
   * Loads stored sessions and retained messages from Artemis; blocks until they are indexed.
   *
   * @param server a started, active broker
   */
  public ArtemisBridge(ActiveMQServer server, ArtemisBridgeConfig config) throws Exception {
    this(server, config, System::currentTimeMillis);
  }

  /**
   * As {@link #ArtemisBridge(ActiveMQServer, ArtemisBridgeConfig)}, on a clock of its own.
   *
   * @param clock epoch milliseconds, against which message and session expiry are checked (Artemis
   *     itself expires queued messages by the system clock)
   */
  ArtemisBridge(ActiveMQServer server, ArtemisBridgeConfig config, LongSupplier clock)
      throws Exception {
    this.clock = clock;
    this.server = server;
    this.postOffice = server.getPostOffice();
    this.storage = server.getStorageManager();
    this.paging = server.getPagingManager();
    this.config = config;
    this.reservedTopics = reservedTopics(server);
    this.bindsDirectly = !server.getConfiguration().isClustered();
    AtomicInteger threads = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(config.threads(), config.threads(), 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(config.maxPendingOperations()), task -> {
          Thread thread = new Thread(task, "courier-artemis-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    this.executor.allowCoreThreadTimeOut(true);
    this.sessions = new SessionStore(storage);
    this.retained = new RetainedStore(storage, clock);
    this.lifecycle = new SessionLifecycle(this, sessions, config.deliveryBuffer());
    this.groups = new SharedGroups(server);
    try {
      sessions.open(server, config.loadTimeoutMillis());
      groups.load(sessions.all());
      lifecycle.expireOrSchedule(); // what expired while the broker was down goes now
      groups.prune(sessions.all());
      awaitStored();
      retained.open(server, config.loadTimeoutMillis());
      if (server.getConfiguration().isClustered()) {
        shareRetained();
      }
    } catch (Exception e) {
      sessions.close();
      retained.close();
      executor.shutdownNow();
      throw e;
    }
    lifecycle.expiry().start(server.getScheduledPool(), SWEEP_MILLIS);
    LOG.info("Artemis bridge ready on broker {}: {} stored MQTT sessions, {} retained messages",
        server.getConfiguration().getName(), sessions.size(), retained.size());
  }

  /** Shares retained messages with the other nodes of a cluster (see {@link RetainedStore#share}). */
  void shareRetained() throws Exception {
    retained.share(server);
  }

  @Override
  public String name() {
    return "artemis";
  }

  @Override
  public List<String> reservedTopics() {
    return reservedTopics;
  }

  /**
   * Yes: a group is one Artemis queue that its members consume from ({@link SharedGroups}); its
   * name is inside {@code $courier.}, which {@link #reservedTopics()} keeps from MQTT.
   */
  @Override
  public boolean sharedSubscriptions() {
    return true;
  }

  /**
   * The MQTT topics that map onto this bridge's records and the broker's own addresses: the
   * {@code $courier.} record queues (and their cluster announcements), Artemis's management and
   * notification addresses (all of {@code activemq.}, plus the configured ones if moved), its
   * internal {@code $.artemis.internal.} addresses (cluster store-and-forward), Artemis MQTT's
   * {@code $sys.mqtt.} state, and the dead-letter and expiry addresses (other clients' messages).
   */
  static List<String> reservedTopics(ActiveMQServer server) {
    Set<String> addresses = new LinkedHashSet<>(List.of(TopicMapping.INTERNAL_PREFIX,
        RetainedStore.SHARED_ADDRESS.substring(0, RetainedStore.SHARED_ADDRESS.indexOf('.') + 1),
        "activemq.", "$.artemis.internal.", "$sys.mqtt."));
    var configuration = server.getConfiguration();
    addIfSet(addresses, configuration.getManagementAddress());
    addIfSet(addresses, configuration.getManagementNotificationAddress());
    AddressSettings defaults = server.getAddressSettingsRepository().getMatch("#");
    if (defaults != null) {
      addIfSet(addresses, defaults.getDeadLetterAddress());
      addIfSet(addresses, defaults.getExpiryAddress());
    }
    return reservedTopics(addresses);
  }

  /** The MQTT filters covering these Artemis addresses (or address prefixes ending in '.'). */
  static List<String> reservedTopics(Collection<String> addresses) {
    List<String> topics = new ArrayList<>();
    for (String address : addresses) {
      String prefix = address.endsWith(".") ? address.substring(0, address.length() - 1) : address;
      String topic = TopicMapping.toTopic(prefix);
      String filter = topic + "/#";
      // An address no MQTT client can name needs no reserving; the transport refuses invalid ones.
      if (!TopicFilters.isValidTopicName(topic) || !TopicFilters.isValidFilter(filter)) {
        LOG.warn("Artemis address {} cannot be reserved as an MQTT topic", abbreviated(address));
        continue;
      }
      topics.add(filter);
    }
    return List.copyOf(topics);
  }

  /** An address as a log shows it: at most 200 characters. */
  static String abbreviated(String address) {
    return address.length() <= 200 ? address : address.substring(0, 200) + "...";
  }

  private static void addIfSet(Set<String> addresses, SimpleString address) {
    if (address != null && !address.isEmpty()) {
      addresses.add(address.toString());
    }
  }

  /** Stops serving: hands every held message back to Artemis; stored state stays. */
  public void stop() {
    stopped = true;
    lifecycle.releaseAll();
    // Queue removals and record deletions already handed to the executor finish before the record
    // stores close: run later, they would change the record queues while the next bridge on this
    // broker loads them.
    executor.shutdown();
    try {
      if (!executor.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("Artemis bridge operations still running {} s after stop", STOP_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!server.isStarted()) {
      // Stopped under us (a container shutdown may stop the broker before the bridge): its
      // executors are gone and its journal closed, and what the stores hold is stored already,
      // to be loaded again by the next bridge on this broker.
      LOG.debug("Artemis stopped before the bridge: its records stay as stored");
      return;
    }
    sessions.close();
    retained.close();
  }

  /** Now, in epoch milliseconds, by the bridge's clock. */
  long now() {
    return clock.getAsLong();
  }

  Executor executor() {
    return executor;
  }

  SessionStore sessionStore() {
    return sessions;
  }

  /** The groups of shared subscriptions. */
  SharedGroups groups() {
    return groups;
  }

  /** What makes publications wait for the SUBSCRIBEs received before them. */
  SubscriptionFence fence() {
    return fence;
  }

  /** The number of sessions open or detached in this bridge. */
  public int liveSessions() {
    return lifecycle.size();
  }

  /**
   * Bounds the retained store (see {@link RetainedStore}): a retained publication beyond them is
   * refused, neither stored nor routed; what is held already stays.
   */
  @Override
  public void limitRetained(long maxMessages, long maxBytes) {
    retained.limit(maxMessages, maxBytes);
  }

  /** Messages not routed to a session's subscription queue because it was full, since start. */
  public long droppedMessages() {
    return dropped.sum();
  }

  /** Retained publications refused for {@code maxRetainedMessages}/{@code maxRetainedBytes}. */
  public long refusedRetained() {
    return retained.refused();
  }

  /** The number of retained messages held. */
  public int retainedCount() {
    return retained.size();
  }

  /** Bytes of the retained messages held (payload and topic of each). */
  public long retainedBytes() {
    return retained.bytes();
  }

  void countDrop() {
    dropped.increment();
  }

  @Override
  public CompletionStage<BridgeSession> openSession(SessionRequest request) {
    if (stopped) {
      return CompletableFuture.failedFuture(new IllegalStateException("bridge stopped"));
    }
    try {
      return CompletableFuture.supplyAsync(() -> {
        try {
          return lifecycle.open(request);
        } catch (Exception e) {
          throw new IllegalStateException("Could not open the session of " + request.clientId(), e);
        }
      }, executor);
    } catch (RuntimeException rejected) {
      return CompletableFuture.failedFuture(rejected);
    }
  }

  /** Forgets a closed session (bridge executor). */
  void forget(ArtemisSession session) {
    lifecycle.forget(session);
  }

  SessionLifecycle lifecycle() {
    return lifecycle;
  }

  ActiveMQServer server() {
    return server;
  }

  /** Runs the session expiry sweep now (tests; it also runs every {@value #SWEEP_MILLIS} ms). */
  void sweepExpired() {
    lifecycle.expiry().sweep();
  }

  /** Waits (bridge executor only) until this thread's storage operations are on disk. */
  void awaitStored() throws Exception {
    CompletableFuture<PublishResult> done = new CompletableFuture<>();
    storage.afterCompleteOperations(callback(done, PublishResult.ACCEPTED));
    done.get(config.loadTimeoutMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The name of the queue of one subscription: prefix, client id length, client id, filter (the
   * length keeps names unambiguous whatever the client id holds).
   */
  static String queueName(String clientId, String filter) {
    return QUEUE_PREFIX + clientId.length() + "." + clientId + "." + filter;
  }

  /** Finds or creates a subscription's queue (bridge executor). */
  Queue subscriptionQueue(String clientId, String filter, boolean durable) throws Exception {
    if (!TopicMapping.isNameable(clientId) || !TopicMapping.isNameable(filter)) {
      throw new IllegalArgumentException("'::' cannot be in an Artemis queue name");
    }
    SimpleString name = SimpleString.of(queueName(clientId, filter));
    Queue queue = server.locateQueue(name);
    if (queue != null) {
      return queue;
    }
    return server.createQueue(TopicMapping.subscriptionQueue(name, filter).setDurable(durable)
        .setMaxConsumers(1), true);
  }

  /**
   * Whether a clean session's subscriptions are {@link DirectBinding}s rather than queues: yes
   * unless the broker is clustered (a binding is not announced to the other nodes, so nothing
   * published there would reach it).
   */
  boolean bindsDirectly() {
    return bindsDirectly;
  }

  /** Binds a clean session's subscription in the post office (bridge executor). */
  void bind(String clientId, SessionSubscription subscription) throws Exception {
    String filter = subscription.filter;
    if (!TopicMapping.isNameable(clientId) || !TopicMapping.isNameable(filter)) {
      throw new IllegalArgumentException("'::' cannot be in an Artemis binding name");
    }
    long id = storage.generateID();
    // Unique: a client id taken over may still have the same filter bound by its older session.
    SimpleString name = SimpleString.of(queueName(clientId, filter) + "#" + id);
    SimpleString address = SimpleString.of(TopicMapping.toAddress(filter));
    multicast(address);
    DirectBinding binding = new DirectBinding(address, name, id,
        TopicFilters.startsWithWildcard(filter), subscription);
    subscription.direct = binding; // before the first message it routes (OverlapResolver reads it)
    try {
      postOffice.addBinding(binding);
    } catch (Exception e) {
      subscription.direct = null;
      throw e;
    }
  }

  /**
   * Makes the address a multicast one, as creating a subscription queue on it does: auto-created
   * (Artemis deletes it when nothing is bound to it any more), or given the multicast routing type
   * beside those it has.
   */
  private void multicast(SimpleString address) throws Exception {
    AddressInfo info = server.getAddressInfo(address);
    if (info == null) {
      server.addAddressInfo(new AddressInfo(address, RoutingType.MULTICAST).setAutoCreated(true));
    } else if (!info.getRoutingTypes().contains(RoutingType.MULTICAST)) {
      EnumSet<RoutingType> types = EnumSet.of(RoutingType.MULTICAST);
      types.addAll(info.getRoutingTypes());
      server.updateAddressInfo(address, types);
    }
  }

  /** Takes a clean session's subscription out of the post office (any thread, blocks briefly). */
  void unbind(SessionSubscription subscription) {
    DirectBinding binding = subscription.direct;
    if (binding == null) {
      return;
    }
    subscription.direct = null;
    try {
      postOffice.removeBinding(binding.getUniqueName(), null, false);
    } catch (Exception e) {
      LOG.debug("Binding {} was gone already: {}", binding.getUniqueName(), e.toString());
    }
  }

  /** Destroys a subscription's queue and its messages (bridge executor). */
  void destroyQueue(Queue queue) throws Exception {
    if (queue != null && server.locateQueue(queue.getName()) != null) {
      server.destroyQueue(queue.getName(), null, false, true, true);
    }
  }

  /** A subscription filter as Artemis binds it, in the broker's wildcard syntax. */
  AddressImpl binding(String filter) {
    return new AddressImpl(SimpleString.of(TopicMapping.toAddress(filter)), wildcards());
  }

  WildcardConfiguration wildcards() {
    return server.getConfiguration().getWildcardConfiguration();
  }

  /** A new id from Artemis's id sequence (the one message ids come from). */
  long nextId() {
    return storage.generateID();
  }

  List<RetainedStore.Retained> retained(String filter) {
    return retained.matching(filter);
  }

  /** The Artemis address of a topic name (cached). */
  SimpleString address(String topic) {
    SimpleString address = addresses.computeIfAbsent(topic,
        t -> SimpleString.of(TopicMapping.toAddress(t)));
    if (addresses.size() > 100_000) {
      addresses.clear(); // a cache, bounded
    }
    return address;
  }

  /**
   * Asks Artemis for room on an address for one more message (any thread, never blocks).
   *
   * <p>Memory stays bounded by Artemis's address settings: with {@code PAGE} (our default) a full
   * address pages to disk, and the publication is admitted at once; with {@code BLOCK} it is
   * admitted when Artemis frees memory, without blocking the caller (the transport meanwhile stops
   * reading from that client); with {@code FAIL} it is refused, which closes the client's connection
   * so that it resends later.
   *
   * @param whenAdmitted runs once when there is room: at once, on this thread, or later, on an
   *     Artemis thread
   * @return false if Artemis refused the publication
   */
  boolean admit(SimpleString address, Runnable whenAdmitted) throws Exception {
    PagingStore store = paging.getPageStore(address);
    if (store == null) {
      whenAdmitted.run();
      return true;
    }
    return store.checkMemory(false, whenAdmitted, null, null);
  }

  /**
   * A storage context for one publishing client (see {@link OrderedPublisher}).
   *
   * <p>What waits for the context (Artemis adding a durable message to its queues, the PUBACK's
   * completion) runs on the thread that completes the storage operation, the journal's, instead of
   * being handed to one of Artemis's pool threads first: each task puts references on queues (an
   * empty queue with an idle consumer hands them over there, see {@link #route}; others deliver
   * from their own executor) or hands the outcome to the client's event loop, so the extra hop
   * would only add a thread wake-up to every persistent publication's round trip. The context
   * still runs its tasks one at a time and in order (its completion is synchronized).
   */
  OperationContext newPublishContext() {
    return storage.newContext(ArtemisBridge::runCompletion);
  }

  private static void runCompletion(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      // thrown out of the executor, Artemis would count the task as pending a second time
      LOG.warn("A storage completion failed: {}", e.toString());
    }
  }

  /**
   * Routes an admitted publication in the publishing client's storage context.
   *
   * @param stored the publisher's stored session, to record a QoS 2 packet id in; or null
   * @return completes when Artemis has it safely
   */
  CompletableFuture<PublishResult> route(Publication publication, SimpleString address,
      SessionStore.Stored stored, int packetId, OperationContext context) {
    OperationContext previous = storage.getContext();
    storage.setContext(context);
    try {
      return route(publication, address, stored, packetId);
    } finally {
      storage.setContext(previous);
    }
  }

  private CompletableFuture<PublishResult> route(Publication publication, SimpleString address,
      SessionStore.Stored stored, int packetId) {
    try {
      boolean durable = publication.qos() > 0;
      PublishedMessage message = ArtemisMessages.toMessage(storage.generateID(), publication,
          address, durable);
      boolean exactlyOnce = stored != null && publication.qos() == 2;
      Transaction tx = exactlyOnce ? new TransactionImpl(storage) : null;
      if (publication.retain() && !retained.store(publication, tx)) {
        return REFUSED; // over a retained bound: not routed either (tx holds nothing yet)
      }
      RoutingContext routing = new RoutingContextImpl(tx);
      RoutingStatus status;
      CompletionStage<Void> congested;
      Congestion congestion = Congestion.begin();
      try {
        // direct: a queue that is empty with an idle consumer hands the message to it on the
        // thread that adds it (for a durable message, the journal's, once stored), as Artemis
        // does for its own protocols; a queue with a backlog delivers from its executor as before
        status = postOffice.route(message, routing, true);
      } finally {
        congested = congestion.take(); // clean sessions this filled past half their bounds
      }
      if (routing.getQueueCount() > 0) {
        message.queued(); // a queue may hold it long: no second copy of the payload meanwhile
      }
      if (tx != null) {
        sessions.awaitRelease(stored, packetId, tx);
        tx.commit();
      }
      // No queue took it (no MQTT subscription, no JMS/Core consumer queue): 0x10 on 5.0.
      CompletableFuture<PublishResult> routed =
          status == RoutingStatus.NO_BINDINGS ? NO_MATCH : ACCEPTED;
      CompletableFuture<PublishResult> result = routed;
      if (durable || publication.retain()) {
        result = new CompletableFuture<>();
        storage.afterCompleteOperations(callback(result, routed.getNow(null)));
      }
      return congested == null ? result
          : congested.toCompletableFuture().thenCombine(result, (drained, outcome) -> outcome);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** PUBREL for a stored QoS 2 packet id. */
  void release(SessionStore.Stored stored, int packetId) {
    sessions.release(stored, packetId);
  }

  /** Returns references to their queues (in order), for delivery again. */
  void cancel(List<MessageReference> references) {
    if (references.isEmpty()) {
      return;
    }
    Map<Queue, List<MessageReference>> byQueue = new java.util.LinkedHashMap<>();
    for (MessageReference reference : references) {
      byQueue.computeIfAbsent(reference.getQueue(), q -> new ArrayList<>()).add(reference);
    }
    byQueue.forEach((queue, refs) -> {
      Transaction tx = new TransactionImpl(storage);
      for (MessageReference reference : refs) {
        queue.cancel(tx, reference, true);
      }
      try {
        tx.rollback(); // puts the references back at the head of the queue, in order
      } catch (Exception e) {
        LOG.warn("Could not return {} messages to {}: {}", refs.size(), queue.getName(),
            e.toString());
      }
      queue.deliverAsync();
    });
  }

  private static IOCallback callback(CompletableFuture<PublishResult> done,
      PublishResult result) {
    return new IOCallback() {
      @Override
      public void done() {
        done.complete(result);
      }

      @Override
      public void onError(int errorCode, String errorMessage) {
        done.completeExceptionally(new IllegalStateException(
            "Artemis storage error " + errorCode + ": " + errorMessage));
      }
    };
  }

}

package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.PublishResult;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT session on Artemis. A persistent session has one Artemis queue per subscription,
 * consumed by a {@link SessionSubscription} that takes messages only while the client is attached
 * and the session's small buffer has room (otherwise the messages stay in Artemis, which pages them
 * to disk as its address settings say). A session that ends with its connection has no queues on
 * a broker that is not clustered: each subscription is a {@link DirectBinding} in the post office,
 * which hands routed messages straight to the session's {@link DirectBuffer}, bounded as a queue
 * would be; nothing of it is stored or acknowledged to Artemis.
 *
 * <p>Filters of one session that overlap have a copy of a message each; {@link OverlapResolver}
 * delivers one of them and acknowledges the others [MQTT-3.3.4-2] (its javadoc has the small
 * window this leaves when a SUBSCRIBE or UNSUBSCRIBE races such a message).
 *
 * <p>A shared subscription (MQTT 5.0 section 4.8.2, SPI 0.5) consumes its group's queue ({@link
 * SharedGroups}) and is independent of the session's own subscriptions: it gets no retained
 * messages, takes part in no overlap resolution, and what it holds when the client goes is given
 * back to the group as {@link SharedInflight} says.
 *
 * <p>Bounds ({@link SessionRequest#maxQueuedBytes()}): each of its own subscription queues holds at
 * most {@code maxQueuedMessages} messages and {@code maxQueuedBytes} bytes (as Artemis counts a
 * stored message), checked by the queue's {@link QueueLimit} filter when Artemis routes a message
 * to it, with the transport's policy: while the client is attached QoS 0 beyond a bound, and QoS
 * 1 and 2 beyond twice it, are not routed to the queue; while it is away nothing beyond a bound
 * is. Each such drop is counted and logged (the first, then every {@value #LOG_EVERY}th). The
 * queue's counts include what Artemis has handed to this session and the client has not
 * acknowledged, and a durable message counts once the journal has it, so a burst may pass a
 * bound by what is on its way to the journal. A shared subscription's group queue has no such
 * bound: it belongs to no one session.
 *
 * <p>Threading follows {@link BridgeSession}: the transport calls from the connection's event
 * loop; Artemis calls the subscriptions' consumers from its queue executors; blocking work
 * (creating and destroying queues) runs on the bridge's executor, in order per session.
 *
 * <p>An idle session holds little: what only some sessions need is made when first needed, and
 * every reader takes "not made yet" for empty. The bridge's executor makes the subscription map
 * and the {@link DeliveryBuffer} (at the first subscription with a queue, before its consumer is
 * registered) and the retained queue (at the first retained message queued), and publishes them
 * through volatile fields; the connection's thread makes the {@link OverlapResolver} (at the first
 * poll that finds a message) and the in-flight maps (at the first QoS 1 or 2 delivery), which are
 * confined to it as their contents are.
 */
final class ArtemisSession implements BridgeSession {

  /** Shared until the first change: one completed future for all, not one each. */
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private static final Logger LOG = LoggerFactory.getLogger(ArtemisSession.class);
  /** A full queue logs its first drop and then every this many. */
  static final int LOG_EVERY = 10_000;
  /** The subscription identifiers of a delivery without any: shared, never modified. */
  static final int[] NO_IDS = new int[0];
  /** Counts {@link #drops} without an AtomicLong per session. */
  private static final VarHandle DROPS;

  static {
    try {
      DROPS = MethodHandles.lookup().findVarHandle(ArtemisSession.class, "drops", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ArtemisBridge bridge;
  private final String clientId;
  /**
   * How a polled copy is delivered, if at all: options, No Local, overlaps (poll only); made by
   * the first poll that has a message to decide on.
   */
  private OverlapResolver decision;
  private final boolean persistent;
  /** By key; made at the first subscription (bridge executor), null until then. */
  private volatile Map<String, SessionSubscription> subscriptions;
  /**
   * Messages Artemis handed over, not yet polled; made at the first subscription that has a queue
   * (bridge executor), before its consumer can take anything.
   */
  private volatile DeliveryBuffer buffer;
  /** The size of {@link #buffer}, for when it is made. */
  private final int capacity;
  /** Messages routed to this clean session's bindings, not yet polled; made when first bound. */
  private volatile DirectBuffer direct;
  /**
   * Retained messages for new subscriptions [MQTT-3.8.4-3], not yet polled; made when the first
   * is queued (bridge executor).
   */
  private volatile ConcurrentLinkedQueue<Delivery> retained;
  /**
   * Polled QoS 1/2 deliveries awaiting the client's acknowledgement: tag to reference; made at
   * the first (connection's thread, as its contents; see {@link SharedInflight} for when the
   * bridge's executor takes over).
   */
  private Map<Long, MessageReference> inflight;
  /** As {@link #inflight}, for the shared subscriptions; made at the first such delivery. */
  private SharedInflight sharedInflight;
  private final SessionStore.Stored stored;
  private volatile boolean present;
  /** The session expiry interval in force, for {@link #detach()}. */
  private volatile long expirySeconds;
  /** Written under the session's lifecycle lock, read by a later detach. */
  private volatile int generation;
  private volatile boolean attached;
  private volatile boolean closed;
  private volatile DeliverySink sink;
  private volatile int maxQueued;
  private volatile long maxQueuedBytes;
  /** Messages not routed to this session's queues because one was full (see {@link #DROPS}). */
  @SuppressWarnings("unused") // accessed through DROPS
  private volatile long drops;
  private long nextTag;
  /**
   * This client's publications into Artemis, in order; made at its first publication, so that a
   * client that only subscribes (or idles) holds no storage context (~300 bytes).
   */
  private volatile OrderedPublisher publisher;
  /** The last blocking operation of this session, so the next runs after it. */
  private CompletableFuture<?> tail = DONE;

  ArtemisSession(ArtemisBridge bridge, SessionRequest request, SessionStore.Stored stored,
      boolean present, int capacity) {
    this.bridge = bridge;
    String clientId = request.clientId();
    this.expirySeconds = request.sessionExpirySeconds();
    this.maxQueued = request.maxQueuedMessages();
    this.maxQueuedBytes = request.maxQueuedBytes();
    this.clientId = clientId;
    this.stored = stored;
    this.persistent = stored != null;
    this.present = present;
    this.capacity = capacity;
  }

  String clientId() {
    return clientId;
  }

  boolean persistent() {
    return persistent;
  }

  SessionStore.Stored stored() {
    return stored;
  }

  /**
   * Who this session is to the groups it shares subscriptions in: its stored state if persistent
   * (which a restart loads as the member), else itself.
   */
  Object member() {
    return stored != null ? stored : this;
  }

  /**
   * Opened again by a new connection with a (possibly new) expiry interval and queue bounds
   * (bridge executor).
   */
  void resumed(SessionRequest request) {
    this.expirySeconds = request.sessionExpirySeconds();
    this.maxQueued = request.maxQueuedMessages();
    this.maxQueuedBytes = request.maxQueuedBytes();
    generation++;
    present = true; // [MQTT-3.2.2-2]
  }

  /** Counts resumptions, so that a detach journaled late is not taken for a newer one. */
  int generation() {
    return generation;
  }

  boolean closed() {
    return closed;
  }

  boolean attached() {
    return attached;
  }

  /** Re-creates a stored subscription on opening (bridge executor). */
  void restore(SubscriptionRequest request, Queue queue) {
    // Its queue predates this bridge: every message in it was routed to it.
    link(new SessionSubscription(this, request.filter(), request.shareName(),
        SubscriptionOptions.of(request), queue, 0));
  }

  /** The subscriptions now (empty before the first); safe to iterate on any thread. */
  Iterable<SessionSubscription> subscriptions() {
    Map<String, SessionSubscription> all = subscriptions;
    return all == null ? List.of() : all.values();
  }

  @Override
  public boolean present() {
    return present;
  }

  @Override
  public CompletionStage<Void> publish(Publication publication) {
    return kept(route(publication, 0));
  }

  @Override
  public CompletionStage<Void> publishExactlyOnce(Publication publication, int packetId) {
    return kept(route(publication, packetId));
  }

  /**
   * Routes a publication (QoS 2 with its packet id recorded with it, in one durable step) and
   * says whether any queue took it, or that a full address refused it.
   */
  @Override
  public CompletionStage<PublishResult> route(Publication publication, int packetId) {
    if (expired(publication) || unroutable(publication)) {
      return ArtemisBridge.ACCEPTED; // [MQTT-3.3.2-5] neither forwarded nor retained
    }
    boolean exactlyOnce = publication.qos() == 2 && packetId != 0;
    return publisher().publish(publication, exactlyOnce ? stored : null,
        exactlyOnce ? packetId : 0);
  }

  private OrderedPublisher publisher() {
    OrderedPublisher current = publisher;
    if (current == null) {
      synchronized (this) { // once per session: the first publication
        current = publisher;
        if (current == null) {
          current = new OrderedPublisher(bridge);
          publisher = current;
        }
      }
    }
    return current;
  }

  /** The 0.4 contract of publish: completes when kept, fails when refused. */
  private static CompletionStage<Void> kept(CompletionStage<PublishResult> routed) {
    return routed.thenApply(result -> {
      if (!result.kept()) {
        throw new IllegalStateException("Artemis address full (address-full-policy FAIL)");
      }
      return null;
    });
  }

  /** A topic Artemis would take for address::queue: dropped, as a reserved topic is. */
  private boolean unroutable(Publication publication) {
    if (TopicMapping.isNameable(publication.topic())) {
      return false;
    }
    LOG.debug("Client {}: publication dropped: its topic holds '{}' (Artemis: address{}queue)",
        clientId, TopicMapping.FQQN_SEPARATOR, TopicMapping.FQQN_SEPARATOR);
    return true;
  }

  private boolean expired(Publication publication) {
    long expiresAt = publication.properties().expiresAtMillis();
    return expiresAt != 0 && bridge.now() >= expiresAt;
  }

  @Override
  public Set<Integer> awaitingRelease() {
    return stored == null ? Set.of() : Set.copyOf(stored.awaitingRelease.keySet());
  }

  @Override
  public void release(int packetId) {
    if (stored != null) {
      bridge.release(stored, packetId);
    }
  }

  @Override
  public CompletionStage<List<Integer>> subscribe(List<SubscriptionRequest> requests) {
    long ticket = bridge.fence().begin();
    CompletionStage<List<Integer>> granted = subscribeInOrder(requests);
    granted.whenComplete((ignored, error) -> bridge.fence().end(ticket));
    return granted;
  }

  private CompletionStage<List<Integer>> subscribeInOrder(List<SubscriptionRequest> requests) {
    return inOrder(() -> {
      List<Integer> granted = new ArrayList<>(requests.size());
      boolean retainedQueued = false;
      for (SubscriptionRequest request : requests) {
        if (!nameable(request)) {
          granted.add(0x80);
          continue;
        }
        try {
          SubscriptionOptions options = SubscriptionOptions.of(request);
          boolean existed = addSubscription(request, options);
          // Retained messages go to a new non-shared subscription only (sections 3.3.1.3, 4.8.2).
          if (!request.shared() && options.sendsRetained(existed)) {
            retainedQueued |= queueRetained(request.filter(), options);
          }
          granted.add(request.qos());
        } catch (Exception e) {
          LOG.warn("Client {}: could not subscribe to {}: {}", clientId, request.filter(),
              e.toString());
          granted.add(0x80);
        }
      }
      if (retainedQueued) {
        signal();
      }
      return granted;
    });
  }

  /** Whether a subscription can have an Artemis queue (see {@link TopicMapping#isNameable}). */
  private boolean nameable(SubscriptionRequest request) {
    if (TopicMapping.isNameable(clientId, request)) {
      return true;
    }
    LOG.debug("Client {}: subscription refused: its client id, filter or ShareName holds '{}'",
        clientId, TopicMapping.FQQN_SEPARATOR);
    return false;
  }

  /** Adds or replaces a subscription; returns whether it existed. */
  private boolean addSubscription(SubscriptionRequest request, SubscriptionOptions options)
      throws Exception {
    String filter = request.filter();
    Map<String, SessionSubscription> all = subscriptions;
    SessionSubscription existing = all == null ? null : all.get(request.key());
    if (existing != null) {
      existing.options = options; // [MQTT-3.8.4-3] replace, keeping the flow of publications
    } else {
      boolean bound = !request.shared() && !persistent && bridge.bindsDirectly();
      Queue queue = request.shared()
          ? bridge.groups().join(request.shareName(), filter, member())
          : bound ? null : bridge.subscriptionQueue(clientId, filter, persistent);
      SessionSubscription subscription = new SessionSubscription(this, filter,
          request.shareName(), options, queue, bridge.nextId());
      link(subscription);
      if (bound) {
        if (direct == null) {
          direct = new DirectBuffer();
        }
        bridge.bind(clientId, subscription);
      } else if (attached) {
        subscription.register();
      }
    }
    if (stored != null) {
      bridge.sessionStore().subscribe(stored, request);
    }
    return existing != null;
  }

  /**
   * Queues the retained messages matching a new subscription [MQTT-3.8.4-3], with RETAIN set
   * [MQTT-3.3.1-8], its identifier, its QoS cap, and No Local applied (a client does not get back
   * a retained message it published itself).
   */
  private boolean queueRetained(String filter, SubscriptionOptions options) {
    boolean queued = false;
    for (RetainedStore.Retained message : bridge.retained(filter)) {
      if (options.admits(message.publisherId(), clientId)) {
        ConcurrentLinkedQueue<Delivery> queue = retained;
        if (queue == null) {
          queue = new ConcurrentLinkedQueue<>();
          retained = queue; // only this session's turn on the bridge executor writes it
        }
        queue.add(new Delivery(message.topic(), message.payload(),
            Math.min(message.qos(), options.qos()), true, false, 0, message.properties(),
            options.ids()));
        queued = true;
      }
    }
    return queued;
  }

  /**
   * Adds a subscription, a peer of each other one its filter may overlap (bridge thread); makes
   * the map, and the buffer for one with a queue, before anything can register its consumer.
   */
  private void link(SessionSubscription added) {
    Map<String, SessionSubscription> all = subscriptions;
    if (all == null) {
      all = new ConcurrentHashMap<>();
      subscriptions = all; // only this session's turn on the bridge executor writes it
    }
    if (added.queue != null && buffer == null) {
      buffer = new DeliveryBuffer(bridge, capacity);
    }
    added.linkTo(all.values());
    all.put(added.key, added);
    added.limit();
  }

  /**
   * Whether a subscription queue of this session has room for one more message (see the class
   * comment); counts and logs a drop if not. Artemis's routing thread; two counter reads unless
   * the queue is at a bound.
   */
  boolean room(SessionSubscription subscription, Message message) {
    Queue queue = subscription.queue;
    return room(subscription, message, queue.getMessageCount(),
        queue.getPersistentSize() + sizeOf(message));
  }

  /** As {@link #room(SessionSubscription, Message)}, with what the subscription holds so far. */
  private boolean room(SessionSubscription subscription, Message message, long count,
      long bytes) {
    int limit = maxQueued;
    long byteLimit = maxQueuedBytes;
    if (count < limit && bytes <= byteLimit) {
      return true;
    }
    // Beyond a bound: only QoS 1/2 to an attached client still fit, up to twice the bounds.
    if (attached && Math.min(ArtemisMessages.qos(message), subscription.options.qos()) > 0
        && count < 2L * limit && bytes <= twice(byteLimit)) {
      return true;
    }
    bridge.countDrop();
    long dropped = (long) DROPS.getAndAdd(this, 1L) + 1;
    if (dropped == 1 || dropped % LOG_EVERY == 0) {
      LOG.warn("Session queue of client {} is full (maxQueuedMessages {}, maxQueuedBytes {}, "
          + "subscription {}): dropped {} message(s) so far", clientId, limit, byteLimit,
          subscription.key, dropped);
    }
    return false;
  }

  private static long twice(long bound) {
    return bound > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * bound;
  }

  /**
   * A message the post office routed to one of this clean session's bindings: buffered for poll
   * if the session's bounds leave room for it (routing thread).
   */
  void routed(SessionSubscription subscription, Message message, byte[] body) {
    DirectBuffer buffered = direct;
    if (closed || buffered == null) {
      return; // the session ends: its bindings are on their way out
    }
    int size = message instanceof PublishedMessage published ? published.size
        : (int) Math.min(Integer.MAX_VALUE, sizeOf(message));
    if (room(subscription, message, buffered.count(), buffered.bytes() + size)) {
      buffered.add(new DeliveryBuffer.Taken(null, message, body, subscription, size));
      if (attached) {
        buffered.holdIfCongested(maxQueued, maxQueuedBytes); // push back on the publisher
      }
      signal();
    }
  }

  /** What Artemis counts of a message in a queue's persistent size. */
  private static long sizeOf(Message message) {
    try {
      return message.getPersistentSize();
    } catch (ActiveMQException e) {
      return message.getEncodeSize();
    }
  }

  @Override
  public CompletionStage<Void> unsubscribe(List<String> filters) {
    return unsubscribeExisting(filters).thenApply(ignored -> null);
  }

  /**
   * Removes subscriptions by key and says which the session held: a live subscription, or a
   * stored one (those of a resumed session, also after a restart, are both).
   */
  @Override
  public CompletionStage<List<Boolean>> unsubscribeExisting(List<String> filters) {
    return inOrder(() -> {
      List<Boolean> held = new ArrayList<>(filters.size());
      Map<String, SessionSubscription> all = subscriptions;
      for (String key : filters) {
        SessionSubscription subscription = all == null ? null : all.remove(key);
        if (subscription != null) {
          subscription.unlink();
          if (subscription.shared()) {
            subscription.stop();
            buffer.returnOf(subscription); // made with it; the group's other members get them
          }
          subscription.remove();
        }
        // A stored one not restored (named before '::' was refused) was held all the same.
        boolean recorded = stored != null && bridge.sessionStore().unsubscribe(stored, key);
        held.add(subscription != null || recorded);
      }
      return held;
    });
  }

  @Override
  public void attach(DeliverySink sink) {
    this.sink = sink;
    attached = true;
    for (SessionSubscription subscription : subscriptions()) {
      subscription.register();
    }
    if (!isEmpty(buffer) || !isEmpty(retained) || hasAgain() || !isEmpty(direct)) {
      sink.messagesAvailable();
    }
  }

  @Override
  public void detach() {
    detach(expirySeconds); // 3.1.1 and clients that set none at DISCONNECT: as at CONNECT
  }

  @Override
  public void detach(long sessionExpirySeconds) {
    if (sessionExpirySeconds <= 0 || stored == null) {
      close(); // MQTT 5.0 section 3.1.2.11.2: 0 ends the session with the connection
      return;
    }
    unplug();
    SharedInflight shared = sharedInflight;
    if (shared != null) {
      shared.detached(); // 4.8.2: another member may have QoS 1 at once
    }
    long seconds = Math.min(sessionExpirySeconds, SessionRequest.NEVER);
    int detachedGeneration = generation;
    inOrder(() -> {
      bridge.lifecycle().detached(this, seconds, detachedGeneration);
      return null;
    });
  }

  /** Stops taking messages from Artemis and gives back what the client never saw. */
  private void unplug() {
    attached = false;
    sink = null;
    for (SessionSubscription subscription : subscriptions()) {
      subscription.unregister();
    }
    DeliveryBuffer taken = buffer;
    if (taken != null) {
      taken.returnAll(); // what the client never saw, back to the queues in order
    }
    DirectBuffer buffered = direct;
    if (buffered != null) {
      buffered.clear(); // a clean session's: it ends with its connection
    }
  }

  /**
   * A message of a shared subscription that this session will not deliver (it went away, or left
   * the group, while Artemis handed the message over): back to the group for another member.
   */
  private void giveBack(MessageReference reference) {
    if (bridge.groups().exists(reference.getQueue())) { // else the group is gone
      reference.decrementDeliveryCount();
      bridge.cancel(List.of(reference));
    }
  }

  @Override
  public void recover() {
    SharedInflight shared = sharedInflight;
    if (shared != null) {
      shared.recover(); // QoS 2 comes to this client again [MQTT-4.8.2-4]
    }
    if (inflight == null || inflight.isEmpty()) {
      return;
    }
    // Delivered but never acknowledged: back to the queues, delivery count kept (redelivery).
    List<MessageReference> unacknowledged = new ArrayList<>(inflight.values());
    inflight.clear();
    bridge.cancel(unacknowledged);
  }

  /** Lets the bridge, when it stops, hand everything held back to Artemis. */
  void release() {
    for (SessionSubscription subscription : subscriptions()) {
      subscription.unlimit();
      if (subscription.direct != null) {
        bridge.unbind(subscription); // no binding of a stopped bridge stays in the post office
      }
    }
    unplug();
    SharedInflight shared = sharedInflight;
    if (shared != null) {
      shared.released();
    }
    recover();
  }

  /** Ends this session object for good: it is discarded or expired (bridge executor). */
  void end() {
    closed = true;
    unplug();
    endShared();
    recover();
  }

  @Override
  public Delivery poll() {
    ConcurrentLinkedQueue<Delivery> retainedQueue = retained;
    Delivery retainedDelivery = retainedQueue == null ? null : retainedQueue.poll();
    if (retainedDelivery != null) {
      return new Delivery(retainedDelivery.topic(), retainedDelivery.payload(),
          retainedDelivery.qos(), true, false, ++nextTag, retainedDelivery.properties(),
          retainedDelivery.subscriptionIds());
    }
    while (true) {
      DeliveryBuffer.Taken taken = hasAgain() ? again() : pollBuffer();
      if (taken == null) {
        DirectBuffer buffered = direct;
        taken = buffered == null ? null : buffered.poll();
        if (taken == null) {
          return null;
        }
        buffered.releaseIfDrained(maxQueued, maxQueuedBytes);
      }
      MessageReference reference = taken.reference();
      if (taken.subscription().removed) {
        if (taken.subscription().shared()) {
          giveBack(reference); // unsubscribed meanwhile; the group may have other members
        }
        continue; // else its queue is gone
      }
      Message message = taken.message();
      String topic = ArtemisMessages.topic(message);
      // An MQTT publication's topic was checked by the transport; another protocol's may be bad.
      if (!(message instanceof PublishedMessage) && !ArtemisMessages.isValidTopicName(topic)) {
        // Sent by another protocol to an address no PUBLISH can name (section 4.7): undeliverable
        LOG.debug("Client {}: message on Artemis address {} dropped: not a valid MQTT topic name",
            clientId, ArtemisBridge.abbreviated(String.valueOf(message.getAddress())));
        acknowledge(reference);
        continue;
      }
      long expiresAt = message.getExpiration();
      if (expiresAt != 0 && bridge.now() >= expiresAt) {
        acknowledge(reference); // [MQTT-3.3.2-5] expired while buffered: never delivered
        continue;
      }
      if (!decision().decide(taken.subscription(), message)) {
        acknowledge(reference); // No Local, or another copy of it delivers [MQTT-3.3.4-2]
        continue;
      }
      return deliver(taken, message, topic);
    }
  }

  /** The next message Artemis handed over, or null. */
  private DeliveryBuffer.Taken pollBuffer() {
    DeliveryBuffer taken = buffer;
    return taken == null ? null : taken.poll(subscriptions());
  }

  /** The resolver for polled copies, made by the first poll that needs one. */
  private OverlapResolver decision() {
    OverlapResolver current = decision;
    if (current == null) {
      current = new OverlapResolver(bridge.wildcards(), clientId);
      decision = current;
    }
    return current;
  }

  /** Whether shared QoS 2 deliveries wait to be handed out again after {@link #recover}. */
  private boolean hasAgain() {
    SharedInflight shared = sharedInflight;
    return shared != null && shared.hasAgain();
  }

  private static boolean isEmpty(DeliveryBuffer taken) {
    return taken == null || taken.isEmpty();
  }

  private static boolean isEmpty(ConcurrentLinkedQueue<Delivery> queue) {
    return queue == null || queue.isEmpty();
  }

  private static boolean isEmpty(DirectBuffer buffered) {
    return buffered == null || buffered.isEmpty();
  }

  /** The session ends: what its shared subscriptions hold goes as {@link SharedInflight} says. */
  private void endShared() {
    SharedInflight shared = sharedInflight;
    if (shared != null) {
      shared.ended();
    }
  }

  /** The next shared QoS 2 delivery to complete again after {@link #recover}. */
  private DeliveryBuffer.Taken again() {
    SharedInflight.Held held = sharedInflight.pollAgain();
    return new DeliveryBuffer.Taken(held.reference(), held.subscription());
  }

  /** The delivery of a message as {@link #decision} decided, in flight if QoS 1 or 2. */
  private Delivery deliver(DeliveryBuffer.Taken taken, Message message, String topic) {
    MessageReference reference = taken.reference();
    // [MQTT-3.8.4-6] [MQTT-4.8.2-3] at most the granted QoS (of the group's chosen member)
    int qos = Math.min(decision.qos(), ArtemisMessages.qos(message));
    long tag = ++nextTag;
    byte[] payload = taken.body() != null ? taken.body() : ArtemisMessages.payload(message);
    // [MQTT-3.3.1-12] [MQTT-3.3.1-13] RETAIN as published only with Retain As Published
    Delivery delivery = new Delivery(topic, payload, qos,
        decision.retainAsPublished() && ArtemisMessages.retain(message),
        reference != null && reference.getDeliveryCount() > 1, tag,
        ArtemisMessages.properties(message), decision.ids());
    if (reference == null) {
      return delivery; // a clean session's bound message: nothing to acknowledge to Artemis
    }
    if (qos == 0) {
      acknowledge(reference); // at most once: done when written
    } else if (taken.subscription().shared()) {
      SharedInflight shared = sharedInflight;
      if (shared == null) {
        shared = new SharedInflight(bridge);
        sharedInflight = shared;
      }
      shared.put(tag, reference, taken.subscription(), qos);
    } else {
      if (inflight == null) {
        inflight = new HashMap<>();
      }
      inflight.put(tag, reference);
    }
    return delivery;
  }

  @Override
  public void acknowledge(long tag) {
    MessageReference reference = inflight == null ? null : inflight.remove(tag);
    SharedInflight shared = sharedInflight;
    if (reference == null && shared != null) {
      reference = shared.remove(tag);
    }
    if (reference != null) {
      acknowledge(reference);
    }
  }

  private void acknowledge(MessageReference reference) {
    if (reference == null) {
      return; // routed to a binding: Artemis holds nothing for it
    }
    try {
      reference.getQueue().acknowledge(reference);
    } catch (Exception e) {
      LOG.warn("Client {}: could not acknowledge a message to Artemis: {}", clientId,
          e.toString());
    }
  }

  @Override
  public CompletionStage<Void> close() {
    closed = true;
    unplug(); // what a shared subscription holds goes to the group's other members
    if (inflight != null) {
      inflight.clear();
    }
    endShared();
    return inOrder(() -> {
      bridge.forget(this);
      Map<String, SessionSubscription> all = subscriptions;
      if (all != null) {
        for (SessionSubscription subscription : all.values()) {
          subscription.remove();
        }
        all.clear();
      }
      DeliveryBuffer taken = buffer;
      if (taken != null) {
        taken.clear();
      }
      DirectBuffer buffered = direct;
      if (buffered != null) {
        buffered.clear(); // what a routing thread added between unplug() and the unbinding above
      }
      if (stored != null) {
        bridge.sessionStore().delete(stored);
      }
      return null;
    });
  }

  /** Runs blocking work on the bridge's executor after this session's previous operation. */
  private <T> CompletionStage<T> inOrder(BlockingTask<T> task) {
    CompletableFuture<T> next = tail.handle((ignored, error) -> null)
        .thenComposeAsync(ignored -> {
          try {
            return CompletableFuture.completedFuture(task.run());
          } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
          }
        }, bridge.executor());
    tail = next;
    return next;
  }

  /** Work that may block. */
  interface BlockingTask<T> {
    T run() throws Exception;
  }

  private void signal() {
    DeliverySink current = sink;
    if (current != null) {
      current.messagesAvailable();
    }
  }

  /**
   * Reserves a buffer slot for a message Artemis offers, or marks the session starved. The
   * buffer is there: it is made before the first consumer registers.
   */
  boolean reserve() {
    return buffer.reserve();
  }

  /** Whether Artemis may hand this session messages now. */
  boolean accepting() {
    return attached && !closed;
  }

  /** A subscription's consumer took a message: buffer it for poll (any Artemis thread). */
  void taken(MessageReference reference, SessionSubscription subscription) {
    DeliveryBuffer.Taken taken = new DeliveryBuffer.Taken(reference, subscription);
    DeliveryBuffer buffered = buffer; // there: reserve() gave this message a slot in it
    buffered.add(taken);
    // Went away or left the group while Artemis handed it over: unless unplug() or unsubscribe
    // gave it back already, it is for another member now (4.8.2).
    if (subscription.shared() && (subscription.removed || !accepting())
        && buffered.remove(taken)) {
      giveBack(reference);
      return;
    }
    signal();
  }

  ArtemisBridge bridge() {
    return bridge;
  }

}

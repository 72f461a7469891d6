package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.postoffice.BindingType;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The groups of MQTT 5.0 shared subscriptions (section 4.8.2). A group is a ShareName and a topic
 * filter; it is one durable Artemis queue, named by {@link #queueName} and bound as the filter's
 * ordinary subscription queue would be ({@link TopicMapping#subscriptionQueue}), with a consumer
 * ({@link SessionSubscription}) per attached member. Artemis hands each message to one of them, in
 * turn, skipping a member whose buffer is full; with no member attached the messages wait.
 *
 * <p>A group lives while a session holds its subscription: a live session, or a persistent one
 * stored in {@link SessionStore}, its client connected or not. The member is a token: a persistent
 * session's {@link SessionStore.Stored} (what a restart loads; it outlives the session object),
 * else the {@link ArtemisSession}; so the late leave of a session that ended never takes away the
 * membership of the client's next session. The last member to leave destroys the queue with its
 * messages. At start, {@link #load} counts the stored members in and {@link #prune} deletes the
 * group queues nobody holds (their members were clean sessions, or the last one's session expired
 * while the broker was down) and creates any that a stored member lacks.
 *
 * <p>Threading: join and leave run on the bridge's executor and may block (they create and destroy
 * queues); the changes of one group are serialised on a lock striped by its queue name.
 */
final class SharedGroups {

  /**
   * The prefix of group queue names: inside the bridge's reserved {@code $courier.} space, and
   * never the start of an ordinary subscription queue's name ({@code courier.mqtt.}).
   */
  static final String PREFIX = TopicMapping.INTERNAL_PREFIX + "share.";

  private static final Logger LOG = LoggerFactory.getLogger(SharedGroups.class);
  private static final int STRIPES = 64;

  private final ActiveMQServer server;
  /** Queue name to the group's members; a set is changed only under its stripe's lock. */
  private final Map<String, Set<Object>> members = new ConcurrentHashMap<>();
  private final Object[] locks = new Object[STRIPES];

  SharedGroups(ActiveMQServer server) {
    this.server = server;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /**
   * The queue name of a group: prefix, ShareName length, ShareName, filter (the length keeps
   * names unambiguous, whatever the ShareName holds).
   */
  static String queueName(String shareName, String filter) {
    return PREFIX + shareName.length() + "." + shareName + "." + filter;
  }

  private Object lock(String queueName) {
    return locks[(queueName.hashCode() & 0x7fff_ffff) % STRIPES];
  }

  /**
   * Makes {@code member} one of the group's, creating its queue if it is the first (bridge
   * executor).
   *
   * @return the group's queue
   */
  Queue join(String shareName, String filter, Object member) throws Exception {
    String name = queueName(shareName, filter);
    synchronized (lock(name)) {
      Queue queue = queue(name, filter);
      members.computeIfAbsent(name, n -> new HashSet<>()).add(member);
      return queue;
    }
  }

  /**
   * Takes {@code member} out of the group; the last member's leaving destroys the queue and the
   * messages in it (bridge executor). A member that is not in the group changes nothing.
   */
  void leave(String shareName, String filter, Object member) throws Exception {
    String name = queueName(shareName, filter);
    synchronized (lock(name)) {
      Set<Object> held = members.get(name);
      if (held == null || !held.remove(member)) {
        return;
      }
      if (held.isEmpty()) {
        members.remove(name);
        destroy(name);
      }
    }
  }

  /** At start, before anything else uses the groups: the stored sessions' memberships. */
  void load(Collection<SessionStore.Stored> stored) {
    for (SessionStore.Stored session : stored) {
      for (SessionStore.Subscription subscription : session.subscriptions.values()) {
        SubscriptionRequest request = subscription.request();
        if (request.shared() && TopicMapping.isNameable(session.clientId, request)) {
          members.computeIfAbsent(queueName(request.shareName(), request.filter()),
              n -> new HashSet<>()).add(session);
        }
      }
    }
  }

  /**
   * At start, once expired sessions are gone: deletes the group queues that no stored session
   * holds, and creates a missing one that a stored session does.
   */
  void prune(Collection<SessionStore.Stored> stored) throws Exception {
    List<String> queues = server.getPostOffice().getAllBindings()
        .filter(binding -> binding.getType() == BindingType.LOCAL_QUEUE) // not other nodes'
        .map(binding -> binding.getUniqueName().toString())
        .filter(name -> name.startsWith(PREFIX))
        .toList();
    for (String name : queues) {
      if (!members.containsKey(name)) {
        LOG.info("Shared subscription queue {} has no member left; deleted",
            ArtemisBridge.abbreviated(name));
        destroy(name);
      }
    }
    for (SessionStore.Stored session : stored) {
      for (SessionStore.Subscription subscription : session.subscriptions.values()) {
        SubscriptionRequest request = subscription.request();
        if (request.shared() && TopicMapping.isNameable(session.clientId, request)) {
          queue(queueName(request.shareName(), request.filter()), request.filter());
        }
      }
    }
  }

  /** Whether a group's queue still exists (its last member may have left since). */
  boolean exists(Queue queue) {
    return server.locateQueue(queue.getName()) == queue;
  }

  /** The number of groups (tests). */
  int size() {
    return members.size();
  }

  private Queue queue(String name, String filter) throws Exception {
    if (!TopicMapping.isNameable(name)) {
      throw new IllegalArgumentException("'::' cannot be in an Artemis queue name");
    }
    SimpleString queueName = SimpleString.of(name);
    Queue queue = server.locateQueue(queueName);
    if (queue != null) {
      return queue;
    }
    // Durable whoever the members are: a persistent session may join a group a clean one made.
    return server.createQueue(TopicMapping.subscriptionQueue(queueName, filter).setDurable(true)
        .setMaxConsumers(-1), true);
  }

  private void destroy(String name) throws Exception {
    SimpleString queueName = SimpleString.of(name);
    if (server.locateQueue(queueName) != null) {
      server.destroyQueue(queueName, null, false, true, true);
    }
  }
}

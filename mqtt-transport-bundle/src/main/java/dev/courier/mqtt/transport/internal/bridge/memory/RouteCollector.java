package dev.courier.mqtt.transport.internal.bridge.memory;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.function.BiConsumer;

/**
 * Collects the sessions matched by one publication so that each session gets it once
 * [MQTT-3.3.4-2], merging the session's matching subscriptions that admit it (see {@link
 * InMemoryBridge} for the rules): the highest QoS, whether any has Retain As Published, and the
 * distinct Subscription Identifiers [MQTT-3.3.4-4]. Shared groups matched are collected apart,
 * each once: a group's choice is independent of the sessions' own subscriptions (MQTT 5.0 section
 * 4.8.2).
 *
 * <p>Reused per thread ({@link #begin} ... {@link #clear}) so that routing does not allocate: a
 * linear scan is cheaper than hashing for the usual handful of matches, identifiers are kept in
 * primitive arrays, and a session matched through one identified subscription gets that
 * subscription's own immutable array. Only a session with two or more identifiers gets a new
 * array (the {@code Delivery} keeps it).
 */
final class RouteCollector implements BiConsumer<Subscriber, Subscription> {

  /** Beyond this many matches, an identity index replaces the linear scan (large fan-out). */
  private static final int LINEAR_LIMIT = 16;

  private InMemorySession[] sessions = new InMemorySession[8];
  private int[] qos = new int[8];
  private boolean[] retainAsPublished = new boolean[8];
  /** Per session: the array of the first identified subscription, or {@link Subscription#NO_IDS}. */
  private int[][] firstIds = new int[8][];
  /** Per session: how many distinct identifiers; beyond the first they are chained in the pool. */
  private int[] idCount = new int[8];
  /** Per session: pool index of the most recent extra identifier, -1 for none. */
  private int[] idHead = new int[8];
  private int[] poolValue = new int[8];
  private int[] poolNext = new int[8];
  private int poolSize;
  private int size;
  private String publisherId;
  /** The shared groups matched; the trie holds one entry per group, so each comes once. */
  private SharedGroup[] groups = new SharedGroup[4];
  private int groupCount;
  private final IdentityHashMap<InMemorySession, Integer> index = new IdentityHashMap<>();

  /** Starts collecting the matches of a message published by {@code publisher}. */
  RouteCollector begin(String publisher) {
    this.publisherId = publisher;
    return this;
  }

  @Override
  public void accept(Subscriber subscriber, Subscription subscription) {
    if (subscriber instanceof SharedGroup group) {
      if (groupCount == groups.length) {
        groups = Arrays.copyOf(groups, groupCount * 2);
      }
      groups[groupCount++] = group;
      return;
    }
    InMemorySession session = (InMemorySession) subscriber;
    if (!subscription.admits(session.clientId(), publisherId)) {
      return; // [MQTT-3.8.3-3] this subscription does not forward the session's own message
    }
    int at = indexOf(session);
    if (at < 0) {
      at = add(session);
    }
    qos[at] = Math.max(qos[at], subscription.qos());
    retainAsPublished[at] |= subscription.retainAsPublished();
    int[] ids = subscription.ids();
    if (ids.length > 0) {
      addId(at, ids);
    }
  }

  private int indexOf(InMemorySession session) {
    if (size < LINEAR_LIMIT) {
      for (int i = 0; i < size; i++) {
        if (sessions[i] == session) {
          return i;
        }
      }
      return -1;
    }
    if (index.isEmpty()) {
      for (int i = 0; i < size; i++) {
        index.put(sessions[i], i);
      }
    }
    Integer at = index.get(session);
    return at == null ? -1 : at;
  }

  private int add(InMemorySession session) {
    if (size == sessions.length) {
      int capacity = size * 2;
      sessions = Arrays.copyOf(sessions, capacity);
      qos = Arrays.copyOf(qos, capacity);
      retainAsPublished = Arrays.copyOf(retainAsPublished, capacity);
      firstIds = Arrays.copyOf(firstIds, capacity);
      idCount = Arrays.copyOf(idCount, capacity);
      idHead = Arrays.copyOf(idHead, capacity);
    }
    if (size >= LINEAR_LIMIT) {
      index.put(session, size);
    }
    sessions[size] = session;
    qos[size] = 0;
    retainAsPublished[size] = false;
    firstIds[size] = Subscription.NO_IDS;
    idCount[size] = 0;
    idHead[size] = -1;
    return size++;
  }

  private void addId(int at, int[] ids) {
    int id = ids[0];
    if (idCount[at] == 0) {
      firstIds[at] = ids;
      idCount[at] = 1;
      return;
    }
    // Two filters may carry the same identifier: the delivery names it once.
    if (firstIds[at][0] == id) {
      return;
    }
    for (int p = idHead[at]; p >= 0; p = poolNext[p]) {
      if (poolValue[p] == id) {
        return;
      }
    }
    if (poolSize == poolValue.length) {
      poolValue = Arrays.copyOf(poolValue, poolSize * 2);
      poolNext = Arrays.copyOf(poolNext, poolSize * 2);
    }
    poolValue[poolSize] = id;
    poolNext[poolSize] = idHead[at];
    idHead[at] = poolSize++;
    idCount[at]++;
  }

  int size() {
    return size;
  }

  /** Number of shared groups matched. */
  int groupCount() {
    return groupCount;
  }

  SharedGroup group(int i) {
    return groups[i];
  }

  InMemorySession session(int i) {
    return sessions[i];
  }

  /** The highest QoS of the admitting subscriptions of session {@code i}. */
  int qos(int i) {
    return qos[i];
  }

  /** Whether any admitting subscription of session {@code i} has Retain As Published. */
  boolean retainAsPublished(int i) {
    return retainAsPublished[i];
  }

  /** The distinct identifiers of the admitting subscriptions of session {@code i}. */
  int[] subscriptionIds(int i) {
    int count = idCount[i];
    if (count <= 1) {
      return firstIds[i];
    }
    int[] all = new int[count];
    all[0] = firstIds[i][0];
    int n = 1;
    for (int p = idHead[i]; p >= 0; p = poolNext[p]) {
      all[n++] = poolValue[p];
    }
    return all;
  }

  void clear() {
    Arrays.fill(sessions, 0, size, null);
    Arrays.fill(firstIds, 0, size, null);
    if (!index.isEmpty()) {
      index.clear();
    }
    Arrays.fill(groups, 0, groupCount, null);
    groupCount = 0;
    size = 0;
    poolSize = 0;
    publisherId = null;
  }
}

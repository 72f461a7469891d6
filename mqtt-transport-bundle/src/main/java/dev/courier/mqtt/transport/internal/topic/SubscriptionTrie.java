package dev.courier.mqtt.transport.internal.topic;

import dev.courier.mqtt.transport.spi.topic.TopicFilters;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Index of subscriptions by topic filter, organised as a trie with one node per filter level.
 *
 * <p>An entry is a triple (filter, key, value): the key identifies a subscriber (typically a
 * session) and the value is that subscriber's data for that filter (for example the granted QoS).
 * A key holds at most one value per filter.
 *
 * <p>{@link #match(String, BiConsumer)} visits, at each topic level, only the exact child, the
 * {@code +} child and the {@code #} child of the current node, so its cost depends on the topic's
 * depth and on the matching filters, never on the total number of subscriptions.
 *
 * <p>Threading: {@link #match}, {@link #size()} and {@link #isEmpty()} take no lock and may run on
 * any number of threads concurrently with writers. {@link #put} and {@link #remove} serialise on
 * one internal lock. A match that overlaps a write may or may not see that write, but always sees
 * every entry that was present during the whole match.
 *
 * @param <K> subscriber identity; needs consistent {@code equals}/{@code hashCode}
 * @param <V> per-subscription data
 * @since 0.1.0
 */
public final class SubscriptionTrie<K, V> {

  /** Children key of the single-level wildcard node; like every stored key, never re-pointed. */
  private final LevelKey singleLevelKey =
      LevelKey.of(String.valueOf(TopicFilters.SINGLE_LEVEL_WILDCARD));
  /** Children key of the multi-level wildcard node; never re-pointed. */
  private final LevelKey multiLevelKey =
      LevelKey.of(String.valueOf(TopicFilters.MULTI_LEVEL_WILDCARD));

  private final Node<K, V> root = new Node<>(null, null);
  /** Serialises writers, so that pruning can never detach a node a concurrent put is filling. */
  private final Object writeLock = new Object();
  /** Number of (filter, key) entries; written under {@link #writeLock} only. */
  private volatile int size;

  /**
   * Adds the entry (filter, key) with {@code value}, or replaces the value if the entry exists.
   *
   * @param filter a valid topic filter, see {@link TopicSyntax#isValidTopicFilter(String)}
   * @param key the subscriber
   * @param value the subscriber's data for this filter
   * @return {@code true} if the entry is new, {@code false} if an existing value was replaced
   * @throws IllegalArgumentException if {@code filter} is not a valid topic filter
   * @throws NullPointerException if an argument is {@code null}
   */
  public boolean put(String filter, K key, V value) {
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (!TopicSyntax.isValidTopicFilter(filter)) {
      throw new IllegalArgumentException("Invalid topic filter: " + filter);
    }
    synchronized (writeLock) {
      Node<K, V> node = root;
      int start = 0;
      while (start <= filter.length()) {
        int end = TopicSyntax.levelEnd(filter, start);
        LevelKey level = LevelKey.of(filter.substring(start, end));
        Node<K, V> child = node.children.get(level);
        if (child == null) {
          // Published complete (empty) before readers can reach it.
          child = new Node<>(node, level);
          node.children.put(level, child);
        }
        node = child;
        start = end + 1;
      }
      boolean added = node.entries.put(key, value) == null;
      if (added) {
        size = size + 1;
      }
      return added;
    }
  }

  /**
   * Removes the entry (filter, key) and prunes the nodes it leaves empty.
   *
   * @param filter the topic filter the entry was added with
   * @param key the subscriber
   * @return the removed value, or {@code null} if there was no such entry
   * @throws NullPointerException if an argument is {@code null}
   */
  public V remove(String filter, K key) {
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(key, "key");
    synchronized (writeLock) {
      Node<K, V> node = root;
      LevelKey probe = new LevelKey();
      int start = 0;
      while (start <= filter.length() && node != null) {
        int end = TopicSyntax.levelEnd(filter, start);
        node = node.children.get(probe.point(filter, start, end));
        start = end + 1;
      }
      if (node == null) {
        return null;
      }
      V previous = node.entries.remove(key);
      if (previous != null) {
        size = size - 1;
        prune(node);
      }
      return previous;
    }
  }

  /**
   * Detaches {@code node} and its ancestors as long as they hold neither entries nor children.
   * Runs under {@link #writeLock}, so no put can refill a node between the check and the
   * detach; a reader still holding a detached node just finds it empty.
   */
  private void prune(Node<K, V> node) {
    Node<K, V> current = node;
    while (current != root && current.entries.isEmpty() && current.children.isEmpty()) {
      current.parent.children.remove(current.level, current);
      current = current.parent;
    }
  }

  /**
   * Visits every entry whose filter matches {@code topicName}.
   *
   * <p>A key with several matching filters is visited once per filter; deduplication is up to
   * the caller. Filters whose first level is a wildcard are not matched against topic names
   * starting with {@code $} [MQTT-4.7.2-1]. Lock-free; the visitor runs on the calling thread
   * and its exceptions propagate to the caller.
   *
   * @param topicName a valid topic name, see {@link TopicSyntax#isValidTopicName(String)}; the
   *     publish path validates it once, so it is not re-validated here
   * @param visitor receives (key, value) of every matching entry
   * @throws NullPointerException if an argument is {@code null}
   */
  public void match(String topicName, BiConsumer<? super K, ? super V> visitor) {
    Objects.requireNonNull(topicName, "topicName");
    Objects.requireNonNull(visitor, "visitor");
    int length = topicName.length();
    boolean serverTopic = length > 0 && topicName.charAt(0) == TopicFilters.SERVER_TOPIC_PREFIX;
    // One probe and one explicit stack per call instead of a substring per level; the stack
    // also keeps a deep topic ("/////...") from overflowing the thread stack.
    LevelKey probe = new LevelKey();
    MatchStack<K, V> pending = new MatchStack<>();
    pending.push(root, 0);
    while (!pending.isEmpty()) {
      int start = pending.topStart();
      Node<K, V> node = pending.pop();
      // [MQTT-4.7.2-1] no wildcard in the first level for "$..." topic names
      boolean wildcardsAllowed = !(serverTopic && node == root);
      if (wildcardsAllowed) {
        // [MQTT-4.7.1-2] '#' matches the remaining levels, also when there are none
        Node<K, V> multiLevel = node.children.get(multiLevelKey);
        if (multiLevel != null) {
          multiLevel.entries.forEach(visitor);
        }
      }
      if (start > length) {
        // All topic levels consumed: the filters ending at this node match.
        node.entries.forEach(visitor);
        continue;
      }
      int end = TopicSyntax.levelEnd(topicName, start);
      // [MQTT-4.7.3-4] exact level comparison, no normalisation
      Node<K, V> exact = node.children.get(probe.point(topicName, start, end));
      if (exact != null) {
        pending.push(exact, end + 1);
      }
      if (wildcardsAllowed) {
        // [MQTT-4.7.1-3] '+' matches this level whatever it is, even empty
        Node<K, V> singleLevel = node.children.get(singleLevelKey);
        if (singleLevel != null) {
          pending.push(singleLevel, end + 1);
        }
      }
    }
  }

  /**
   * Returns the number of (filter, key) entries. Lock-free; may lag concurrent writers.
   *
   * @return the number of entries
   */
  public int size() {
    return size;
  }

  /**
   * Tells whether the trie holds no entry. Lock-free; may lag concurrent writers.
   *
   * @return {@code true} if {@link #size()} is zero
   */
  public boolean isEmpty() {
    return size == 0;
  }

  /** Counts the nodes below the root; lets tests check pruning. Not for production paths. */
  int nodeCount() {
    int count = 0;
    ArrayDeque<Node<K, V>> toVisit = new ArrayDeque<>(root.children.values());
    while (!toVisit.isEmpty()) {
      Node<K, V> node = toVisit.pop();
      count++;
      toVisit.addAll(node.children.values());
    }
    return count;
  }

  /**
   * One filter level. Children maps are read and written concurrently; entries map holds the
   * (key, value) pairs of the filters ending here.
   */
  private static final class Node<K, V> {
    final Node<K, V> parent;
    final LevelKey level;
    final ConcurrentHashMap<LevelKey, Node<K, V>> children = new ConcurrentHashMap<>(4);
    final ConcurrentHashMap<K, V> entries = new ConcurrentHashMap<>(2);

    Node(Node<K, V> parent, LevelKey level) {
      this.parent = parent;
      this.level = level;
    }
  }

  /**
   * Key of a child node: a region of a string. Keys stored in the trie cover a whole string
   * and are never changed; a lookup probe is re-pointed at each level of the topic being
   * matched, so that a lookup does not allocate a substring. Equality and hash depend on the
   * characters of the region only, so probes and stored keys compare consistently.
   */
  private static final class LevelKey {
    private String source;
    private int start;
    private int end;
    private int hash;

    static LevelKey of(String level) {
      return new LevelKey().point(level, 0, level.length());
    }

    LevelKey point(String newSource, int newStart, int newEnd) {
      source = newSource;
      start = newStart;
      end = newEnd;
      int h = 0;
      for (int i = newStart; i < newEnd; i++) {
        h = 31 * h + newSource.charAt(i);
      }
      hash = h;
      return this;
    }

    @Override
    public boolean equals(Object other) {
      if (this == other) {
        return true;
      }
      if (!(other instanceof LevelKey that)) {
        return false;
      }
      int length = end - start;
      return hash == that.hash
          && length == that.end - that.start
          && source.regionMatches(start, that.source, that.start, length);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return source.substring(start, end);
    }
  }

  /** Growable stack of (node, level start) pairs still to visit in one match call. */
  private static final class MatchStack<K, V> {
    private Object[] nodes = new Object[8];
    private int[] starts = new int[8];
    private int depth;

    void push(Node<K, V> node, int start) {
      if (depth == nodes.length) {
        nodes = Arrays.copyOf(nodes, depth * 2);
        starts = Arrays.copyOf(starts, depth * 2);
      }
      nodes[depth] = node;
      starts[depth] = start;
      depth++;
    }

    boolean isEmpty() {
      return depth == 0;
    }

    int topStart() {
      return starts[depth - 1];
    }

    @SuppressWarnings("unchecked")
    Node<K, V> pop() {
      depth--;
      Node<K, V> node = (Node<K, V>) nodes[depth];
      nodes[depth] = null;
      return node;
    }
  }
}

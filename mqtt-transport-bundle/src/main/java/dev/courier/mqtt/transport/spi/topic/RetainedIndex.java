package dev.courier.mqtt.transport.spi.topic;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Retained messages by topic name, one per topic [MQTT-3.3.1-5], organised as a trie with one node
 * per topic level.
 *
 * <p>{@link #match(String, Consumer)} descends only into the subtrees a topic filter can match:
 * one child for an exact level, every child for {@code +}, the whole subtree for {@code #}. A
 * SUBSCRIBE therefore never scans retained messages of unrelated topics.
 *
 * <p>Threading: {@link #get}, {@link #match} and {@link #size()} take no lock and may run on any
 * number of threads concurrently with writers. {@link #put} and {@link #remove} serialise on one
 * internal lock. A read that overlaps a write may or may not see it, but always sees every value
 * that was present during the whole read.
 *
 * <p>Exported for the bridges (SPI package {@code spi.topic}); it depends on {@code java.*} only.
 * Callers pass valid MQTT topic names and filters (section 4.7); a name with a wildcard or an
 * empty name is rejected.
 *
 * @param <V> the retained message (or a handle to it)
 * @since 0.1.0 (of {@code spi.topic})
 */
public final class RetainedIndex<V> {

  private static final String MULTI_LEVEL_WILDCARD =
      String.valueOf(TopicFilters.MULTI_LEVEL_WILDCARD);
  private static final String SINGLE_LEVEL_WILDCARD =
      String.valueOf(TopicFilters.SINGLE_LEVEL_WILDCARD);

  private final Node<V> root = new Node<>(null, null);
  /** Serialises writers, so that pruning can never detach a node a concurrent put is filling. */
  private final Object writeLock = new Object();
  /** Number of retained values; written under {@link #writeLock} only. */
  private volatile int size;

  /**
   * Stores {@code value} as the retained message of {@code topicName}, replacing any previous
   * one [MQTT-3.3.1-5].
   *
   * @param topicName a valid topic name (non-empty, no wildcard)
   * @param value the retained message
   * @return the value it replaces, or {@code null}
   * @throws IllegalArgumentException if {@code topicName} is empty or contains a wildcard
   * @throws NullPointerException if an argument is {@code null}
   */
  public V put(String topicName, V value) {
    Objects.requireNonNull(value, "value");
    requireTopicName(topicName);
    synchronized (writeLock) {
      Node<V> node = root;
      int start = 0;
      while (start <= topicName.length()) {
        int end = levelEnd(topicName, start);
        String level = topicName.substring(start, end);
        Node<V> child = node.children.get(level);
        if (child == null) {
          child = new Node<>(node, level);
          node.children.put(level, child);
        }
        node = child;
        start = end + 1;
      }
      V previous = node.value;
      node.value = value;
      if (previous == null) {
        size = size + 1;
      }
      return previous;
    }
  }

  /**
   * Removes the retained message of {@code topicName}, as a retained PUBLISH with an empty
   * payload does [MQTT-3.3.1-10], and prunes the nodes it leaves empty.
   *
   * @param topicName the topic name
   * @return the removed value, or {@code null} if none was retained
   * @throws NullPointerException if {@code topicName} is {@code null}
   */
  public V remove(String topicName) {
    Objects.requireNonNull(topicName, "topicName");
    synchronized (writeLock) {
      Node<V> node = find(topicName);
      if (node == null || node.value == null) {
        return null;
      }
      V previous = node.value;
      node.value = null;
      size = size - 1;
      prune(node);
      return previous;
    }
  }

  /**
   * Returns the retained message of {@code topicName}. Lock-free.
   *
   * @param topicName the topic name
   * @return the retained value, or {@code null}
   * @throws NullPointerException if {@code topicName} is {@code null}
   */
  public V get(String topicName) {
    Objects.requireNonNull(topicName, "topicName");
    Node<V> node = find(topicName);
    return node == null ? null : node.value;
  }

  /**
   * Visits every retained value whose topic name matches {@code topicFilter}.
   *
   * <p>{@code a/#} also visits {@code a} itself [MQTT-4.7.1-2]; {@code +} matches one level,
   * even empty [MQTT-4.7.1-3]; a filter whose first level is a wildcard skips topic names
   * starting with {@code $}, while {@code $SYS/#} visits them [MQTT-4.7.2-1]. Lock-free; the
   * visitor runs on the calling thread and its exceptions propagate to the caller.
   *
   * @param topicFilter a valid topic filter (checked by the caller, not re-validated here)
   * @param visitor receives every matching value
   * @throws NullPointerException if an argument is {@code null}
   */
  public void match(String topicFilter, Consumer<? super V> visitor) {
    Objects.requireNonNull(topicFilter, "topicFilter");
    Objects.requireNonNull(visitor, "visitor");
    int length = topicFilter.length();
    // Explicit stack rather than recursion: a deep filter cannot overflow the thread stack.
    ArrayDeque<Pending<V>> pending = new ArrayDeque<>();
    pending.push(new Pending<>(root, 0));
    while (!pending.isEmpty()) {
      Pending<V> next = pending.pop();
      Node<V> node = next.node();
      int start = next.levelStart();
      if (start > length) {
        // All filter levels consumed: this node's own topic matches.
        visit(node, visitor);
        continue;
      }
      int end = levelEnd(topicFilter, start);
      // [MQTT-4.7.2-1] a leading wildcard does not reach "$..." topic names
      boolean skipServerTopics = node == root;
      if (isLevel(topicFilter, start, end, MULTI_LEVEL_WILDCARD)) {
        // [MQTT-4.7.1-2] '#' matches the parent level and every level below it
        visit(node, visitor);
        visitSubtree(node, skipServerTopics, visitor);
      } else if (isLevel(topicFilter, start, end, SINGLE_LEVEL_WILDCARD)) {
        // [MQTT-4.7.1-3] '+' matches every child, including the empty level
        for (Node<V> child : node.children.values()) {
          if (!(skipServerTopics && isServerTopicLevel(child))) {
            pending.push(new Pending<>(child, end + 1));
          }
        }
      } else {
        // [MQTT-4.7.3-4] exact level comparison, no normalisation
        Node<V> child = node.children.get(topicFilter.substring(start, end));
        if (child != null) {
          pending.push(new Pending<>(child, end + 1));
        }
      }
    }
  }

  /**
   * Returns the number of retained values. Lock-free; may lag concurrent writers.
   *
   * @return the number of retained values
   */
  public int size() {
    return size;
  }

  /** Counts the nodes below the root; lets tests check pruning. Not for production paths. */
  int nodeCount() {
    int count = 0;
    ArrayDeque<Node<V>> toVisit = new ArrayDeque<>(root.children.values());
    while (!toVisit.isEmpty()) {
      Node<V> node = toVisit.pop();
      count++;
      toVisit.addAll(node.children.values());
    }
    return count;
  }

  private Node<V> find(String topicName) {
    Node<V> node = root;
    int start = 0;
    while (start <= topicName.length() && node != null) {
      int end = levelEnd(topicName, start);
      node = node.children.get(topicName.substring(start, end));
      start = end + 1;
    }
    return node;
  }

  /**
   * Detaches {@code node} and its ancestors as long as they hold neither a value nor children.
   * Runs under {@link #writeLock}, so no put can refill a node between the check and the
   * detach; a reader still holding a detached node just finds it empty.
   */
  private void prune(Node<V> node) {
    Node<V> current = node;
    while (current != root && current.value == null && current.children.isEmpty()) {
      current.parent.children.remove(current.level, current);
      current = current.parent;
    }
  }

  private void visitSubtree(Node<V> top, boolean skipServerTopics, Consumer<? super V> visitor) {
    ArrayDeque<Node<V>> toVisit = new ArrayDeque<>();
    for (Node<V> child : top.children.values()) {
      if (!(skipServerTopics && isServerTopicLevel(child))) {
        toVisit.push(child);
      }
    }
    while (!toVisit.isEmpty()) {
      Node<V> node = toVisit.pop();
      visit(node, visitor);
      for (Node<V> child : node.children.values()) {
        toVisit.push(child);
      }
    }
  }

  private static <V> void visit(Node<V> node, Consumer<? super V> visitor) {
    // Read once: a concurrent remove may clear it between a check and a second read.
    V value = node.value;
    if (value != null) {
      visitor.accept(value);
    }
  }

  private static boolean isServerTopicLevel(Node<?> node) {
    return !node.level.isEmpty() && node.level.charAt(0) == TopicFilters.SERVER_TOPIC_PREFIX;
  }

  private static boolean isLevel(String filter, int start, int end, String level) {
    return end - start == level.length() && filter.startsWith(level, start);
  }

  private static int levelEnd(String topic, int start) {
    return TopicFilters.levelEnd(topic, start);
  }

  private static void requireTopicName(String topicName) {
    Objects.requireNonNull(topicName, "topicName");
    // [MQTT-4.7.3-1] non-empty; [MQTT-3.3.2-2] no wildcard in a topic name
    if (topicName.isEmpty()
        || topicName.indexOf(MULTI_LEVEL_WILDCARD.charAt(0)) >= 0
        || topicName.indexOf(SINGLE_LEVEL_WILDCARD.charAt(0)) >= 0) {
      throw new IllegalArgumentException("Invalid topic name: " + topicName);
    }
  }

  /** A node still to visit, and where the filter level it must be compared with starts. */
  private record Pending<V>(Node<V> node, int levelStart) {
  }

  /** One topic level; {@code value} is the retained message of the topic ending here, if any. */
  private static final class Node<V> {
    final Node<V> parent;
    final String level;
    final ConcurrentHashMap<String, Node<V>> children = new ConcurrentHashMap<>(4);
    volatile V value;

    Node(Node<V> parent, String level) {
      this.parent = parent;
      this.level = level;
    }
  }
}

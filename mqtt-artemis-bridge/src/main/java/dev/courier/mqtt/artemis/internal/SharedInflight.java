package dev.courier.mqtt.artemis.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deliveries of one session's shared subscriptions that its client has not acknowledged yet,
 * and what becomes of them when the client goes (MQTT 5.0 section 4.8.2):
 *
 * <ul>
 *   <li>QoS 1: back to the group's queue as soon as the client goes away (the Server "MAY attempt
 *       to send the message to another Client as soon as it loses its connection"), and when its
 *       session ends (it SHOULD then). The transport still holds the delivery and resends it if the
 *       client comes back: QoS 1 allows that duplicate; the bridge forgets the tag, so its late
 *       acknowledgement changes nothing.
 *   <li>QoS 2: stays with the client, to be completed when it comes back [MQTT-4.8.2-4] (handed out
 *       again, as a redelivery, if the transport no longer holds it: {@link #recover}); dropped
 *       when the session ends first, never sent to another member [MQTT-4.8.2-5].
 *   <li>The bridge stops: everything goes back to the queues, as for ordinary subscriptions. The
 *       group does not remember whose a QoS 2 delivery was, so after a broker restart it may reach
 *       another member.
 * </ul>
 *
 * <p>The transport's contract (a polled delivery is its to complete while the session stays open)
 * thus holds for QoS 2; for QoS 1 a detached session gives its share to the attached members,
 * which is what a shared subscription is for.
 *
 * <p>Not thread-safe: used as the session's own in-flight map is, by the connection's thread, or by
 * the bridge's executor once the session is detached or ended.
 */
final class SharedInflight {

  private static final Logger LOG = LoggerFactory.getLogger(SharedInflight.class);

  /** A delivery in flight: its reference, the subscription it came through, its QoS. */
  record Held(MessageReference reference, SessionSubscription subscription, int qos) {}

  private final ArtemisBridge bridge;
  /** In the order sent, which is the order to send again in [MQTT-4.6.0-1]. */
  private final Map<Long, Held> byTag = new LinkedHashMap<>();
  /** QoS 2 deliveries to hand out again after {@link #recover}. */
  private final ArrayDeque<Held> again = new ArrayDeque<>();

  SharedInflight(ArtemisBridge bridge) {
    this.bridge = bridge;
  }

  /** A QoS 1 or 2 delivery of a shared subscription went out with {@code tag}. */
  void put(long tag, MessageReference reference, SessionSubscription subscription, int qos) {
    byTag.put(tag, new Held(reference, subscription, qos));
  }

  /**
   * The client completed a delivery.
   *
   * @return its reference, to acknowledge to Artemis; null if the tag is not (or no longer) here
   */
  MessageReference remove(long tag) {
    Held held = byTag.remove(tag);
    return held == null ? null : held.reference();
  }

  /** Whether QoS 2 deliveries wait to be handed out again. */
  boolean hasAgain() {
    return !again.isEmpty();
  }

  /** The next QoS 2 delivery to hand out again, or null. */
  Held pollAgain() {
    return again.poll();
  }

  /** The client went away, its session stays: QoS 1 goes back to the groups. */
  void detached() {
    List<Held> back = new ArrayList<>();
    for (Iterator<Held> it = byTag.values().iterator(); it.hasNext(); ) {
      Held held = it.next();
      if (held.qos() == 1) {
        back.add(held);
        it.remove();
      }
    }
    giveBack(back);
  }

  /**
   * The transport holds none of them: QoS 1 goes back to the groups, QoS 2 is handed out again to
   * this session, marked as a redelivery [MQTT-4.8.2-4].
   */
  void recover() {
    detached();
    for (Held held : byTag.values()) {
      held.reference().incrementDeliveryCount();
      again.add(held);
    }
    byTag.clear();
  }

  /** The session ends: QoS 1 back to the groups, QoS 2 acknowledged unsent [MQTT-4.8.2-5]. */
  void ended() {
    detached();
    byTag.values().forEach(held -> acknowledge(held.reference()));
    byTag.clear();
    again.forEach(held -> acknowledge(held.reference()));
    again.clear();
  }

  /** The bridge stops: everything back to the queues, stored, for the next bridge. */
  void released() {
    List<Held> back = new ArrayList<>(byTag.values());
    back.addAll(again);
    byTag.clear();
    again.clear();
    giveBack(back);
  }

  /** Back to their groups' queues, in order, delivery count kept; a group gone takes its own. */
  private void giveBack(List<Held> held) {
    List<MessageReference> back = new ArrayList<>(held.size());
    for (Held h : held) {
      if (bridge.groups().exists(h.reference().getQueue())) {
        back.add(h.reference());
      }
    }
    bridge.cancel(back);
  }

  private void acknowledge(MessageReference reference) {
    if (!bridge.groups().exists(reference.getQueue())) {
      return; // gone with its group
    }
    try {
      reference.getQueue().acknowledge(reference);
    } catch (Exception e) {
      LOG.warn("Could not drop a QoS 2 delivery of an ended session from {}: {}",
          reference.getQueue().getName(), e.toString());
    }
  }
}

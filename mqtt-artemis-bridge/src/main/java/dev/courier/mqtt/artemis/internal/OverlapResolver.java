package dev.courier.mqtt.artemis.internal;

import java.util.Arrays;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.core.config.WildcardConfiguration;
import org.apache.activemq.artemis.core.postoffice.impl.AddressImpl;

/**
 * Delivers a message once per session when several of the session's subscriptions match it
 * [MQTT-3.3.4-2], although Artemis holds a copy in each matching subscription's queue.
 *
 * <p>When a subscription's copy is polled and the subscription has peers (other subscriptions of
 * the session whose filters may overlap with its own, found at SUBSCRIBE by {@code TopicFilters.overlaps}),
 * the resolver finds which of them Artemis routed the message to (the same address match and
 * queue filter as Artemis's routing) and which of those <em>admit</em> it (No Local). Only the
 * <em>primary</em> one delivers: the admitting subscription with the highest QoS, ties broken by
 * the lowest filter (a stable order, so every copy elects the same one). It delivers at that QoS,
 * with the RETAIN flag if any admitting subscription has Retain As Published, and the distinct
 * identifiers of all admitting subscriptions [MQTT-3.3.4-4]; the other copies are acknowledged
 * without delivery. A session without overlapping filters never gets here.
 *
 * <p>The window: the session's subscriptions may change between routing and delivery. A
 * subscription added after the message was routed has no copy and is left out (it is younger than
 * the message: its marker id is above the message's id), but a message whose id was taken before
 * the queue existed and that was routed after may then be delivered twice. A primary unsubscribed
 * after the other copies were acknowledged takes its copy with it: that message is lost to the
 * session. Both need an UNSUBSCRIBE or SUBSCRIBE racing a message of an overlapping filter.
 *
 * <p>Not thread-safe: one per session, used by {@code poll} on the connection's thread. The
 * result of {@link #decide} stays in the fields until the next call.
 */
final class OverlapResolver {

  private final WildcardConfiguration wildcards;
  private final String clientId;
  private int qos;
  private boolean retainAsPublished;
  /** The identifiers collected by {@link #resolve}; made by the first that has one. */
  private int[] ids;
  private int idCount;
  /** After {@link #decide} without peers: the one subscription's options; else null. */
  private SubscriptionOptions single;

  OverlapResolver(WildcardConfiguration wildcards, String clientId) {
    this.wildcards = wildcards;
    this.clientId = clientId;
  }

  /**
   * Decides whether and how the copy of {@code message} polled from {@code subscription}'s queue
   * is delivered: without peers by the subscription's own options (no allocation), else by
   * {@link #resolve}.
   *
   * @return false to acknowledge the copy unsent (No Local, or another copy delivers)
   */
  boolean decide(SessionSubscription subscription, Message message) {
    SessionSubscription[] peers = subscription.peers;
    if (peers.length > 0) {
      single = null;
      return resolve(subscription, peers, message);
    }
    single = subscription.options;
    return single.admits(message, clientId); // [MQTT-3.8.3-3]
  }

  /**
   * Decides for the copy of {@code message} polled from {@code self}'s queue.
   *
   * @return true if {@code self} is the primary and delivers ({@link #qos}, {@link
   *     #retainAsPublished} and {@link #ids} then say how); false to acknowledge the copy unsent
   */
  boolean resolve(SessionSubscription self, SessionSubscription[] peers,
      Message message) {
    qos = -1;
    retainAsPublished = false;
    idCount = 0;
    SessionSubscription primary = consider(self, null, message);
    AddressImpl address = null;
    for (SessionSubscription peer : peers) {
      if (peer.removed || message.getMessageID() < peer.since) {
        continue; // gone, or younger than the message: Artemis gave it no copy
      }
      if (address == null) {
        address = new AddressImpl(message.getAddressSimpleString(), wildcards);
      }
      if (address.matches(peer.binding) && peer.routes(message)) {
        primary = consider(peer, primary, message);
      }
    }
    return primary == self;
  }

  /** Counts in an admitting matching subscription; returns the primary so far. */
  private SessionSubscription consider(SessionSubscription candidate,
      SessionSubscription primary, Message message) {
    SubscriptionOptions options = candidate.options;
    if (!options.admits(message, clientId)) {
      return primary; // [MQTT-3.8.3-3] No Local: this one does not forward it
    }
    retainAsPublished |= options.retainAsPublished();
    addId(options.id());
    if (primary == null || options.qos() > qos
        || (options.qos() == qos && candidate.filter.compareTo(primary.filter) < 0)) {
      qos = Math.max(qos, options.qos());
      return candidate;
    }
    return primary;
  }

  private void addId(int id) {
    if (id == 0) {
      return;
    }
    for (int i = 0; i < idCount; i++) {
      if (ids[i] == id) {
        return; // two filters with one identifier: the delivery names it once
      }
    }
    if (ids == null) {
      ids = new int[4];
    } else if (idCount == ids.length) {
      ids = Arrays.copyOf(ids, idCount * 2);
    }
    ids[idCount++] = id;
  }

  /** The highest QoS of the admitting subscriptions. */
  int qos() {
    return single != null ? single.qos() : qos;
  }

  /** Whether an admitting subscription has Retain As Published [MQTT-3.3.1-13]. */
  boolean retainAsPublished() {
    return single != null ? single.retainAsPublished() : retainAsPublished;
  }

  /**
   * The distinct identifiers of the admitting subscriptions: the subscription's own shared array,
   * or, after {@link #resolve}, a new one (the delivery's).
   */
  int[] ids() {
    if (single != null) {
      return single.ids();
    }
    return idCount == 0 ? ArtemisSession.NO_IDS : Arrays.copyOf(ids, idCount);
  }
}

package dev.courier.mqtt.transport.spi.bridge;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The messaging side of one MQTT session: its subscriptions, its queue of deliveries, and the
 * publications of its client.
 *
 * <p>Threading: {@link #attach}, {@link #detach}, {@link #poll}, {@link #acknowledge}, {@link
 * #subscribe}, {@link #unsubscribe}, {@link #unsubscribeExisting} and {@link #close} are called by
 * the transport from one thread at a time (the event loop that owns the client's connection).
 * {@link #publish} may be called from any transport thread. No method may block.
 *
 * <p>Redelivery: a delivery handed out by {@link #poll()} is the transport's to complete until it
 * calls {@link #acknowledge(long)} or closes the session; while the session stays open (connected or
 * detached) the bridge does not hand it out again. A bridge that stores deliveries across a restart
 * hands the unacknowledged ones out again, marked {@link Delivery#redelivery()}, when the session is
 * next opened.
 *
 * @since 0.1
 */
@ConsumerType
public interface BridgeSession {

  /**
   * Whether a stored session was resumed (the CONNACK "session present" flag).
   *
   * @return true if subscriptions and queued messages survived from an earlier connection
   */
  boolean present();

  /**
   * Routes a publication to every matching subscription, once per session at the highest matching
   * QoS [MQTT-3.3.5-1] (a bridge that keeps one host queue per subscription may instead deliver one
   * copy per matching subscription, each at that subscription's QoS, which MQTT 3.1.1 also
   * allows), and, if {@link Publication#retain()}, stores or clears the topic's retained
   * message [MQTT-3.3.1-5] [MQTT-3.3.1-10].
   *
   * @param publication the message
   * @return completes when the message is safely in the bridge's custody (for a persistent bridge:
   *     stored durably); the transport sends PUBACK/PUBREC only then. A stage that does not
   *     complete at once tells the transport to slow this publisher down.
   */
  CompletionStage<Void> publish(Publication publication);

  /**
   * Adds or replaces subscriptions [MQTT-3.8.4-3] (one per {@link SubscriptionRequest#key()}) and
   * queues the retained messages matching each filter, with {@link Delivery#retain()} set; a shared
   * subscription (since 0.5) gets none [MQTT-4.8.2]. A shared subscription is independent of the
   * session's other subscriptions: a message matching both reaches the session once for its own
   * subscriptions and once more if the group chose this session (MQTT 5.0 section 4.8.2).
   *
   * @param requests the filters, in SUBSCRIBE order
   * @return completes with the granted QoS per request, in order, 0 to 2, or {@code 0x80} for a
   *     failure
   */
  CompletionStage<List<Integer>> subscribe(List<SubscriptionRequest> requests);

  /**
   * Removes subscriptions; filters that are not subscribed are ignored.
   *
   * @param filters the exact filters as subscribed, that is {@link SubscriptionRequest#key()}: a
   *     shared subscription as {@code $share/{shareName}/{filter}} (since 0.5)
   * @return completes when removed
   */
  CompletionStage<Void> unsubscribe(List<String> filters);

  /**
   * Removes subscriptions like {@link #unsubscribe} and says which of them the session held, for
   * the MQTT 5.0 UNSUBACK reason codes (section 3.11.3: 0x11 No subscription existed). The
   * transport calls this one; the default delegates to {@link #unsubscribe} and completes with
   * null, "cannot tell", and the transport then answers from what the connection itself saw (a
   * resumed session's filters it did not see subscribed count as held). A bridge that knows the
   * session's subscriptions, also those of a resumed session, overrides it. A stage that fails
   * means, as for {@link #unsubscribe}, that the subscriptions may still be there.
   *
   * @param filters as for {@link #unsubscribe}: keys, {@code $share/{shareName}/{filter}} for a
   *     shared subscription
   * @return completes when removed with one element per filter, in order: true if the session
   *     held a subscription with that key (a key given twice: true at most for the first), false
   *     if not; or with null if the bridge cannot tell
   * @since 0.6
   */
  default CompletionStage<List<Boolean>> unsubscribeExisting(List<String> filters) {
    return unsubscribe(filters).thenApply(ignored -> null);
  }

  /**
   * Connects the session to a live client connection: from now on the bridge signals {@code sink}
   * when messages are queued. If messages are already queued, the bridge signals at once.
   *
   * @param sink the transport's sink for this connection
   */
  void attach(DeliverySink sink);

  /**
   * The client went away but the session persists: keep subscriptions, keep queueing QoS 1 and 2
   * messages up to the bound, stop signalling.
   */
  void detach();

  /**
   * Like {@link #detach()}, with the session expiry interval the client set at DISCONNECT (MQTT 5.0
   * section 3.14.2.2.2): the session is kept that long, then ended (queues and records deleted,
   * also when the broker was down meanwhile); 0 ends it now. The default detaches and ignores the
   * interval (for bridges before 0.4, whose sessions never expire).
   *
   * @param sessionExpirySeconds 0 to {@link SessionRequest#NEVER}
   * @since 0.4
   */
  default void detach(long sessionExpirySeconds) {
    detach();
  }

  /**
   * Takes the next queued delivery, if any. Never blocks.
   *
   * @return the next delivery, or null if none is queued now
   */
  Delivery poll();

  /**
   * The client completed a QoS 1 or 2 delivery (PUBACK, or PUBCOMP for QoS 2).
   *
   * @param tag {@link Delivery#tag()}
   */
  void acknowledge(long tag);

  /**
   * Ends the session for good (a clean session's connection closed, or the session was replaced):
   * drops its subscriptions and queued messages.
   *
   * @return completes when everything is removed
   */
  CompletionStage<Void> close();

  /**
   * Routes a QoS 2 publication like {@link #publish} and records, in the same durable step, that
   * the client's packet identifier is awaiting PUBREL, so that a bridge which survives a restart can
   * still recognise the client's resend as a duplicate [MQTT-4.3.3-2]. The default does not record
   * anything (fine for a bridge that does not outlive the transport).
   *
   * @param publication the QoS 2 message
   * @param packetId the client's packet identifier
   * @return as {@link #publish}
   * @since 0.2
   */
  default CompletionStage<Void> publishExactlyOnce(Publication publication, int packetId) {
    return publish(publication);
  }

  /**
   * Routes a publication like {@link #publish} (or {@link #publishExactlyOnce} for QoS 2 with a
   * packet identifier) and says what became of it, for the MQTT 5.0 reason code of PUBACK/PUBREC.
   * The transport calls this one; the default delegates and answers {@link
   * PublishResult#ACCEPTED}, a bridge that knows better overrides it. A stage that fails means,
   * as for {@link #publish}, that the bridge does not have the publication.
   *
   * @param publication the message
   * @param packetId the client's packet identifier of a QoS 2 publication, else 0
   * @return completes when the publication is in the bridge's custody (or refused)
   * @since 0.5
   */
  default CompletionStage<PublishResult> route(Publication publication, int packetId) {
    CompletionStage<Void> stage = publication.qos() == 2 && packetId != 0
        ? publishExactlyOnce(publication, packetId) : publish(publication);
    return stage.thenApply(ignored -> PublishResult.ACCEPTED);
  }

  /**
   * The client's QoS 2 packet identifiers that a resumed stored session still awaits PUBREL for
   * (see {@link #publishExactlyOnce}).
   *
   * @return the identifiers; empty for a new session or a bridge that does not store them
   * @since 0.2
   */
  default Set<Integer> awaitingRelease() {
    return Set.of();
  }

  /**
   * PUBREL from the client: forget a packet identifier recorded by {@link #publishExactlyOnce}.
   *
   * @param packetId the client's packet identifier
   * @since 0.2
   */
  default void release(int packetId) {}

  /**
   * The transport holds none of this session's earlier deliveries (for example it restarted while
   * the bridge kept the session): hand every delivered but unacknowledged message out again, marked
   * {@link Delivery#redelivery()}. Called after {@link MessagingBridge#openSession} and before
   * {@link #attach}; the default does nothing.
   *
   * @since 0.2
   */
  default void recover() {}
}

package dev.courier.mqtt.transport.spi.bridge;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A host broker's messaging, seen from the MQTT transport. Implemented by bridge bundles and
 * registered as an OSGi service; the transport uses the one with the highest service ranking.
 *
 * <p>Implementations must be thread-safe and must not block the calling thread: anything slow (disk,
 * network, a host call that may wait) completes the returned stage later, on any thread.
 *
 * @since 0.1
 */
@ConsumerType
public interface MessagingBridge {

  /**
   * A short human-readable name, reported by the transport ({@code in-memory}, {@code artemis}).
   *
   * @return the bridge's name
   */
  String name();

  /**
   * Opens the messaging session of a client, creating it or resuming a stored one.
   *
   * <p>With {@link SessionRequest#cleanSession()} any stored session of that client id is discarded
   * first [MQTT-3.1.2-6]. Otherwise a stored session (subscriptions and queued messages) is resumed
   * and {@link BridgeSession#present()} is true [MQTT-3.2.2-2]. The transport guarantees that at
   * most one {@code BridgeSession} per client id is open at a time: it {@link BridgeSession#detach()
   * detaches} or {@link BridgeSession#close() closes} the previous one first.
   *
   * @param request who is connecting and how
   * @return completes with the session, or exceptionally if the bridge cannot serve it now
   */
  CompletionStage<BridgeSession> openSession(SessionRequest request);

  /**
   * Topic filters over the bridge's own state and the host's internal addresses, closed to MQTT
   * clients whatever the topic rules say: for example the records the bridge stores as messages,
   * or the host's management and notification addresses.
   *
   * <p>The transport enforces them in one place: a SUBSCRIBE filter that can only match topics
   * inside a reserved filter is refused (0x80), a message whose topic a reserved filter matches is
   * never delivered (so {@code #} and {@code +/...} never see one), and a PUBLISH to such a topic is
   * dropped. The transport always reserves {@code $courier/#} as well (the product's own topic
   * space), on every bridge.
   *
   * <p>Called once when the transport starts on this bridge; the list must not change afterwards.
   *
   * @return valid MQTT topic filters (typically {@code prefix/#}); empty by default
   * @since 0.3
   */
  default List<String> reservedTopics() {
    return List.of();
  }

  /**
   * Whether this bridge implements shared subscriptions ({@link SubscriptionRequest#shareName()}).
   * When false the transport refuses {@code $share/...} filters (MQTT 5.0: 0x9E) and its CONNACK
   * says Shared Subscription Available 0; it never sends this bridge a shared request.
   *
   * @return false by default (bridges before 0.5)
   * @since 0.5
   */
  default boolean sharedSubscriptions() {
    return false;
  }

  /**
   * The transport's bounds on the retained messages the bridge holds for all clients together, in
   * count and in bytes (the bridge measures a retained message as its payload and topic).
   *
   * <p>A retained publication that would take the store over a bound is refused as a whole: not
   * stored and not routed to any subscriber, its stage completing with {@link
   * PublishResult#QUOTA_EXCEEDED} from {@link BridgeSession#route} (and failing from {@link
   * BridgeSession#publish}); the bridge counts and logs it (throttled), naming the bound. A
   * message for a topic not retained yet counts against both bounds; one replacing a topic's
   * retained message counts only its growth, so a message no bigger than the one it replaces is
   * always taken; clearing a topic (an empty payload) always works. Lowering a bound below what
   * is held removes nothing: new retained messages are refused until clearing and expiry make
   * room.
   *
   * <p>Called by the transport when it starts on this bridge and whenever its configuration
   * changes, before and while sessions are open, from any thread; must not block. The default
   * ignores them (bridges before 0.7 keep every retained message).
   *
   * @param maxMessages retained messages held at most, positive
   * @param maxBytes bytes of retained messages held at most, positive
   * @since 0.7
   */
  default void limitRetained(long maxMessages, long maxBytes) {}
}

package dev.courier.mqtt.artemis.internal;

import java.util.Map;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.filter.Filter;
import org.apache.activemq.artemis.selector.filter.Filterable;

/**
 * The filter of a session's own subscription queue while the session is served: the queue's
 * filter as created (if any), and then the session's {@code maxQueuedMessages} and {@code
 * maxQueuedBytes} ({@link ArtemisSession#room}), so that Artemis's post office does not route a
 * message to a queue that is full. Artemis asks a queue's filter once per message it routes to
 * the queue's address, on the routing thread: the check reads the queue's message count and
 * stored size (counters, no journal read).
 *
 * <p>Installed by {@link SessionSubscription#limit} and removed when the bridge stops ({@link
 * SessionSubscription#unlimit}), so that no filter of a stopped bridge stays in Artemis. What
 * Artemis management and the cluster see of it is the original filter's string, or {@value
 * #MATCH_ALL} for a queue created without one: a selector that matches everything, which a
 * management view can show and another node can parse.
 */
final class QueueLimit implements Filter {

  /** The filter string of a queue created without a filter. */
  static final String MATCH_ALL = "TRUE";
  private static final SimpleString MATCH_ALL_STRING = SimpleString.of(MATCH_ALL);

  /** The queue's own filter (its address filter), or null. */
  final Filter original;
  final SessionSubscription subscription;

  QueueLimit(Filter original, SessionSubscription subscription) {
    this.original = original;
    this.subscription = subscription;
  }

  @Override
  public boolean match(Message message) {
    return (original == null || original.match(message)) && subscription.room(message);
  }

  /** Management (not routing): the original filter's answer. */
  @Override
  public boolean match(Map<String, String> map) {
    return original == null || original.match(map);
  }

  /** Management (not routing): the original filter's answer. */
  @Override
  public boolean match(Filterable filterable) {
    return original == null || original.match(filterable);
  }

  @Override
  public SimpleString getFilterString() {
    return original == null ? MATCH_ALL_STRING : original.getFilterString();
  }

  @Override
  public String toString() {
    return "QueueLimit[" + getFilterString() + ", " + subscription.toManagementString() + "]";
  }
}

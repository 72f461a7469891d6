package dev.courier.mqtt.artemis.internal;

import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.filter.Filter;
import org.apache.activemq.artemis.core.postoffice.Binding;
import org.apache.activemq.artemis.core.postoffice.BindingType;
import org.apache.activemq.artemis.core.server.Bindable;
import org.apache.activemq.artemis.core.server.RoutingContext;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.apache.activemq.artemis.core.transaction.TransactionOperationAbstract;

/**
 * The binding of a clean session's subscription in Artemis's post office, in place of a queue: the
 * post office hands it each message routed to an address its filter matches, and it passes the
 * message straight to the session's {@link DirectBuffer} ({@link SessionSubscription#routed}).
 * Nothing of it is stored, paged or acknowledged: a clean session's messages live no longer than
 * its connection, so a queue (its add, its delivery thread, its acknowledgement) only costs.
 *
 * <p>Artemis sees it as a divert binding: it routes like one (a copy for it beside the address's
 * queues, multicast messages only), is not announced to other cluster nodes (so the bridge uses it
 * only on a broker that is not clustered; a clustered one keeps queues, which the cluster
 * forwards to), and shows no queue in management.
 *
 * <p>A message routed in a transaction (a transacted JMS producer, an MQTT QoS 2 publication with
 * its packet id) reaches the session when the transaction commits, never if it rolls back. A
 * large message's body is read when it is routed: Artemis deletes its file once no queue holds
 * it.
 *
 * <p>Threading: {@link #route} runs on whichever thread routes the message.
 */
final class DirectBinding implements Binding {

  private final SimpleString address;
  private final SimpleString name;
  private final long id;
  private final boolean skipsSystemAddresses;
  private final SessionSubscription subscription;

  /**
   * @param address the filter's (wildcard) address
   * @param name unique among the post office's bindings (what the queue would be named)
   * @param skipsSystemAddresses true for a filter starting with a wildcard [MQTT-4.7.2-1]
   */
  DirectBinding(SimpleString address, SimpleString name, long id, boolean skipsSystemAddresses,
      SessionSubscription subscription) {
    this.address = address;
    this.name = name;
    this.id = id;
    this.skipsSystemAddresses = skipsSystemAddresses;
    this.subscription = subscription;
  }

  @Override
  public void route(Message message, RoutingContext context) throws Exception {
    RoutingType type = context.getRoutingType();
    if (type != null && type != RoutingType.MULTICAST) {
      return; // an anycast (JMS queue) message is for queues only, as for a multicast queue
    }
    if (!admits(message)) {
      return;
    }
    byte[] body = message.isLargeMessage() ? ArtemisMessages.payload(message) : null;
    Transaction tx = context.getTransaction();
    if (tx == null) {
      subscription.routed(message, body);
      return;
    }
    tx.addOperation(new TransactionOperationAbstract() {
      @Override
      public void afterCommit(Transaction committed) {
        subscription.routed(message, body);
      }
    });
  }

  /**
   * Whether the message's address passes what a queue's filter would check: {@link
   * TopicMapping#NO_SYSTEM_ADDRESSES} for a filter that starts with a wildcard.
   */
  boolean admits(Message message) {
    return !skipsSystemAddresses || !isSystemAddress(message.getAddressSimpleString());
  }

  private static boolean isSystemAddress(SimpleString address) {
    if (address == null || address.length() == 0) {
      return false;
    }
    return address.charAt(0) == '$' || address.startsWith(SYSTEM_PREFIX);
  }

  private static final SimpleString SYSTEM_PREFIX = SimpleString.of("activemq.");

  @Override
  public void routeWithAck(Message message, RoutingContext context) throws Exception {
    route(message, context);
  }

  @Override
  public SimpleString getAddress() {
    return address;
  }

  /** None: no queue, no divert; what management asks of a bindable it gets from the name. */
  @Override
  public Bindable getBindable() {
    return null;
  }

  @Override
  public BindingType getType() {
    return BindingType.DIVERT;
  }

  @Override
  public SimpleString getUniqueName() {
    return name;
  }

  @Override
  public SimpleString getRoutingName() {
    return name; // unique: never load-balanced with another binding
  }

  @Override
  public SimpleString getClusterName() {
    return name;
  }

  @Override
  public Filter getFilter() {
    return null; // checked in route(), without a selector
  }

  @Override
  public boolean isHighAcceptPriority(Message message) {
    return true;
  }

  @Override
  public boolean isExclusive() {
    return false;
  }

  @Override
  public Long getID() {
    return id;
  }

  @Override
  public int getDistance() {
    return 0;
  }

  @Override
  public void close() {}

  @Override
  public String toManagementString() {
    return subscription.toManagementString();
  }

  @Override
  public boolean isConnected() {
    return true;
  }

  @Override
  public void unproposed(SimpleString groupID) {}

  @Override
  public String toString() {
    return "DirectBinding[" + name + " on " + address + "]";
  }
}

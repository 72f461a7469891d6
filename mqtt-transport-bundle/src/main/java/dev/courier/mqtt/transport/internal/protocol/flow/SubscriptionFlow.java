package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.InboundProperties;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.internal.topic.TopicSyntax;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SUBSCRIBE and UNSUBSCRIBE: checks each filter, keeps reserved topics closed, asks the authorizer,
 * and applies the changes in the bridge in the order the client sent them [MQTT-3.8.4-3], however
 * late the authorizer answers.
 */
public final class SubscriptionFlow {

  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionFlow.class);
  private static final int FAILURE = 0x80;

  private final ConnectionContext context;
  /** Completes once the latest SUBSCRIBE or UNSUBSCRIBE went to the bridge; never fails. */
  private CompletableFuture<Void> lastChange = CompletableFuture.completedFuture(null);
  /** SUBSCRIBE and UNSUBSCRIBE packets not yet acknowledged; {@link #settled} while 0. */
  private int changing;
  private CompletableFuture<Void> settled = CompletableFuture.completedFuture(null);
  /** What the session's filters are known to be, for UNSUBACK; created at the first change. */
  private SessionFilters sessionFilters;

  public SubscriptionFlow(ConnectionContext context) {
    this.context = context;
  }

  /** A SUBSCRIBE from the client. */
  public void onSubscribe(MqttSubscribeMessage subscribe) {
    int packetId = subscribe.variableHeader().messageId();
    List<MqttTopicSubscription> filters = subscribe.payload().topicSubscriptions();
    if (filters.isEmpty()) {
      throw new ProtocolViolation("MQTT-3.8.3-3", "SUBSCRIBE without topic filters");
    }
    int subscriptionId = subscriptionId(subscribe);
    began();
    Batch batch = new Batch(packetId, new int[filters.size()]);
    for (int i = 0; i < filters.size(); i++) {
      ReasonCode refusal = refusal(filters.get(i));
      if (refusal != null) {
        batch.codes[i] = refusal.value();
      } else {
        batch.add(request(filters.get(i), subscriptionId), i);
      }
    }
    AccessControl access = context.parts().access();
    if (access.authorizerMissing() && !batch.requests.isEmpty()) {
      LOG.debug("No authorizer is registered but one is required; SUBSCRIBE of client {} refused",
          context.clientId());
      batch.refuseAll();
    }
    Authorizer current = context.authorizer();
    CompletableFuture<Void> previous = lastChange;
    if ((current == null || batch.requests.isEmpty()) && previous.isDone()) {
      toBridge(batch);
      return;
    }
    List<CompletableFuture<Boolean>> decisions = new ArrayList<>(batch.requests.size());
    if (current != null) {
      for (SubscriptionRequest request : batch.requests) {
        decisions.add(context.bounded(
            () -> current.maySubscribe(context.identity(), request.filter())));
      }
    }
    List<CompletableFuture<?>> waits = new ArrayList<>(decisions);
    waits.add(previous);
    CompletableFuture<Void> all = CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    Runnable decide = () -> {
      if (!context.closed()) {
        toBridge(current == null ? batch : batch.allowedBy(decisions, this::denied));
      }
    };
    if (all.isDone()) {
      decide.run();
    } else {
      // [MQTT-3.8.4-3] subscription changes apply in the order sent, even when a later one is
      // decided first: a SUBSCRIBE answered late must not undo a following UNSUBSCRIBE.
      lastChange = afterPrevious(all, decide);
    }
  }

  /**
   * The Subscription Identifier of a SUBSCRIBE (0: none); [MQTT-3.8.2-?] 3.8.2.1.2: 0 is a
   * protocol error, and so is more than one.
   */
  private static int subscriptionId(MqttSubscribeMessage subscribe) {
    InboundProperties properties =
        InboundProperties.of(subscribe.idAndPropertiesVariableHeader().properties());
    List<Integer> ids = properties.subscriptionIds();
    if (ids.isEmpty()) {
      return 0;
    }
    if (ids.size() > 1 || ids.get(0) == 0) {
      throw new ProtocolViolation("MQTT-5.0-3.8.2.1.2", "Subscription Identifier 0 or repeated");
    }
    return ids.get(0);
  }

  private static SubscriptionRequest request(MqttTopicSubscription filter, int subscriptionId) {
    MqttSubscriptionOption options = filter.option();
    return new SubscriptionRequest(filter.topicFilter(), options.qos().value(),
        options.isNoLocal(), options.isRetainAsPublished(), options.retainHandling().value(),
        subscriptionId);
  }

  /** Why a filter is refused, or null if the client may have it (authorizer permitting). */
  private ReasonCode refusal(MqttTopicSubscription filter) {
    String topicFilter = filter.topicFilter();
    if (!TopicSyntax.isValidTopicFilter(topicFilter)) {
      LOG.debug("Client {} subscribed to an invalid topic filter; refused", context.clientId());
      return ReasonCode.TOPIC_FILTER_INVALID;
    }
    if (context.dialect().hasSharedSubscriptions() && topicFilter.startsWith("$share/")) {
      // 4.8.2: shared subscriptions are not offered yet (CONNACK says so).
      return ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
    }
    if (context.parts().reserved().confines(topicFilter)) {
      context.parts().access().countDeniedSubscription();
      LOG.debug("Client {} subscribed to the reserved topic filter {}; refused",
          context.clientId(), topicFilter);
      return ReasonCode.NOT_AUTHORIZED;
    }
    return null;
  }

  private void denied(SubscriptionRequest request) {
    context.parts().access().countDeniedSubscription();
    LOG.debug("Client {} may not subscribe to {}; granted 0x80", context.clientId(),
        request.filter());
  }

  /**
   * Runs {@code change} on the loop once {@code ready} completed; the returned future completes
   * after it ran (or failed) and never fails.
   */
  private CompletableFuture<Void> afterPrevious(CompletableFuture<?> ready, Runnable change) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ready.whenComplete((ignored, error) -> context.onLoop(() -> {
      try {
        change.run();
      } finally {
        done.complete(null);
      }
    }));
    return done;
  }

  private void toBridge(Batch batch) {
    batch.requests.forEach(request -> sessionFilters().subscribing(request.filter()));
    CompletionStage<List<Integer>> granted = batch.requests.isEmpty()
        ? CompletableFuture.completedFuture(List.of())
        : context.bridgeSession().subscribe(batch.requests);
    granted.whenComplete((result, error) -> context.onLoop(() -> {
      if (context.closed()) {
        return;
      }
      for (int i = 0; i < batch.positions.size(); i++) {
        batch.codes[batch.positions.get(i)] = error != null || result == null
            || i >= result.size() ? FAILURE : result.get(i);
      }
      if (error != null) {
        LOG.warn("Bridge {} failed a SUBSCRIBE of client {}: {}",
            context.parts().bridge().name(), context.clientId(), String.valueOf(error));
      }
      // [MQTT-3.8.4-1] SUBACK with [MQTT-3.8.4-4] the same packet id, [MQTT-3.9.3-1] a code each.
      context.send(context.writer().subAck(batch.packetId, batch.codes, null));
      ended();
    }));
  }

  /**
   * Completes (on the event loop) once every SUBSCRIBE and UNSUBSCRIBE received so far has been
   * applied by the bridge and acknowledged; never completes if the connection closes first.
   */
  public CompletableFuture<Void> settled() {
    return settled;
  }

  private void began() {
    if (changing++ == 0) {
      settled = new CompletableFuture<>();
    }
  }

  private void ended() {
    if (--changing == 0) {
      settled.complete(null);
    }
  }

  /** An UNSUBSCRIBE from the client. */
  public void onUnsubscribe(MqttUnsubscribeMessage unsubscribe) {
    int packetId = unsubscribe.variableHeader().messageId();
    List<String> filters = unsubscribe.payload().topics();
    if (filters.isEmpty()) {
      throw new ProtocolViolation("MQTT-3.10.3-2", "UNSUBSCRIBE without topic filters");
    }
    began();
    CompletableFuture<Void> previous = lastChange;
    if (previous.isDone()) {
      unsubscribeNow(packetId, filters);
    } else {
      lastChange = afterPrevious(previous, () -> {
        if (!context.closed()) {
          unsubscribeNow(packetId, filters);
        }
      });
    }
  }

  private void unsubscribeNow(int packetId, List<String> filters) {
    // 3.11.3: 0x11 for a filter the session did not hold (a 3.x UNSUBACK carries no codes).
    int[] codes = sessionFilters().unsubscribing(filters);
    context.bridgeSession().unsubscribe(filters).whenComplete((ignored, error) ->
        context.onLoop(() -> {
          if (context.closed()) {
            return;
          }
          int[] sent = codes;
          if (error != null) {
            LOG.warn("Bridge {} failed an UNSUBSCRIBE of client {}: {}",
                context.parts().bridge().name(), context.clientId(), String.valueOf(error));
            sent = sessionFilters().unsubscribeFailed(filters);
          }
          // [MQTT-3.10.4-4] [MQTT-3.10.4-5] UNSUBACK even if nothing matched, a code per filter.
          context.send(context.writer().unsubAck(packetId, sent, null));
          ended();
        }));
  }

  private SessionFilters sessionFilters() {
    if (sessionFilters == null) {
      // Subscription changes come after CONNACK, so the bridge session is open by now.
      sessionFilters = new SessionFilters(context.bridgeSession().present());
    }
    return sessionFilters;
  }

  /** The filters of one SUBSCRIBE that go to the bridge, and the codes of all of them. */
  private static final class Batch {
    final int packetId;
    final int[] codes;
    final List<SubscriptionRequest> requests = new ArrayList<>();
    final List<Integer> positions = new ArrayList<>();

    Batch(int packetId, int[] codes) {
      this.packetId = packetId;
      this.codes = codes;
    }

    void add(SubscriptionRequest request, int position) {
      requests.add(request);
      positions.add(position);
    }

    void refuseAll() {
      positions.forEach(position -> codes[position] = FAILURE);
      requests.clear();
      positions.clear();
    }

    /** The requests the authorizer allowed; the others are granted 0x80 and reported. */
    Batch allowedBy(List<CompletableFuture<Boolean>> decisions,
        java.util.function.Consumer<SubscriptionRequest> onDenied) {
      Batch allowed = new Batch(packetId, codes);
      for (int i = 0; i < requests.size(); i++) {
        if (PublishAuthorization.isAllowed(decisions.get(i))) {
          allowed.add(requests.get(i), positions.get(i));
        } else {
          onDenied.accept(requests.get(i));
          codes[positions.get(i)] = ReasonCode.NOT_AUTHORIZED.value();
        }
      }
      return allowed;
    }
  }
}

package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.context.ReasonStrings;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
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

  /** Shared until the first change: one completed future for all, not one each. */
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionFlow.class);
  private static final int FAILURE = 0x80;

  private final ConnectionContext context;
  private final SubscribeFilters checks;
  /** Completes once the latest SUBSCRIBE or UNSUBSCRIBE went to the bridge; never fails. */
  private CompletableFuture<Void> lastChange = DONE;
  /** SUBSCRIBE and UNSUBSCRIBE packets not yet acknowledged; {@link #settled} while 0. */
  private int changing;
  private CompletableFuture<Void> settled = DONE;
  /** What the session's filters are known to be, for UNSUBACK; created at the first change. */
  private SessionFilters sessionFilters;

  public SubscriptionFlow(ConnectionContext context) {
    this.context = context;
    this.checks = new SubscribeFilters(context);
  }

  /** A SUBSCRIBE from the client. */
  public void onSubscribe(MqttSubscribeMessage subscribe) {
    int packetId = subscribe.variableHeader().messageId();
    List<MqttTopicSubscription> filters = subscribe.payload().topicSubscriptions();
    if (filters.isEmpty()) {
      throw new ProtocolViolation("MQTT-3.8.3-3", "SUBSCRIBE without topic filters");
    }
    checks.checkShared(filters);
    int subscriptionId = SubscribeFilters.subscriptionId(subscribe);
    began();
    SubscribeBatch batch = new SubscribeBatch(packetId, new int[filters.size()], filters);
    for (int i = 0; i < filters.size(); i++) {
      ReasonCode refusal = checks.refusal(filters.get(i));
      if (refusal != null) {
        batch.codes[i] = refusal.value();
      } else {
        batch.add(SubscribeFilters.request(filters.get(i), subscriptionId), i);
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
        toBridge(current == null ? batch
            : batch.allowedBy(decisions, context.parts().access().refusalCode(), this::denied));
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

  private void denied(SubscriptionRequest request) {
    context.parts().access().countDeniedSubscription();
    LOG.debug("Client {} may not subscribe to {}; granted 0x80", context.clientId(),
        request.key());
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

  private void toBridge(SubscribeBatch batch) {
    batch.requests.forEach(request -> sessionFilters().subscribing(request.key()));
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
      context.send(context.writer().subAck(batch.packetId, batch.codes,
          ReasonStrings.filterAck(context.negotiated(), batch.codes)));
      context.events().subscribed(context.clientId(), batch.filters, batch.codes);
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
    boolean[] refused = overLimits(filters);
    CompletableFuture<Void> previous = lastChange;
    if (previous.isDone()) {
      unsubscribeNow(packetId, filters, refused);
    } else {
      lastChange = afterPrevious(previous, () -> {
        if (!context.closed()) {
          unsubscribeNow(packetId, filters, refused);
        }
      });
    }
  }

  /**
   * Which filters of an UNSUBSCRIBE are over the server's topic bounds: those are not handed to
   * the bridge and get 0x8F Topic Filter invalid (3.11.3; a 3.x UNSUBACK has no codes).
   *
   * @return per filter whether it is refused, or null if none is (the usual case)
   */
  private boolean[] overLimits(List<String> filters) {
    boolean[] refused = null;
    for (int i = 0; i < filters.size(); i++) {
      if (TopicLimits.exceeded(context, context.clientId(), filters.get(i),
          "UNSUBSCRIBE topic filter") != null) {
        if (refused == null) {
          refused = new boolean[filters.size()];
        }
        refused[i] = true;
      }
    }
    return refused;
  }

  private void unsubscribeNow(int packetId, List<String> filters, boolean[] refused) {
    List<String> removed = refused == null ? filters : notRefused(filters, refused);
    // 3.11.3: 0x11 for a filter the session did not hold (a 3.x UNSUBACK carries no codes): as
    // the bridge says, else as far as this connection knows.
    int[] codes = sessionFilters().unsubscribing(removed);
    CompletionStage<List<Boolean>> removal = removed.isEmpty()
        ? CompletableFuture.completedFuture(null)
        : context.bridgeSession().unsubscribeExisting(removed);
    removal.whenComplete((held, error) ->
        context.onLoop(() -> {
          if (context.closed()) {
            return;
          }
          int[] sent = SessionFilters.exact(codes, held);
          if (error != null) {
            LOG.warn("Bridge {} failed an UNSUBSCRIBE of client {}: {}",
                context.parts().bridge().name(), context.clientId(), String.valueOf(error));
            sent = sessionFilters().unsubscribeFailed(removed);
          }
          if (refused != null) {
            sent = withRefused(sent, refused);
          }
          // [MQTT-3.10.4-4] [MQTT-3.10.4-5] UNSUBACK even if nothing matched, a code per filter.
          context.send(context.writer().unsubAck(packetId, sent,
              ReasonStrings.filterAck(context.negotiated(), sent)));
          context.events().unsubscribed(context.clientId(), filters);
          ended();
        }));
  }

  private static List<String> notRefused(List<String> filters, boolean[] refused) {
    List<String> kept = new ArrayList<>(filters.size());
    for (int i = 0; i < filters.size(); i++) {
      if (!refused[i]) {
        kept.add(filters.get(i));
      }
    }
    return kept;
  }

  /** The codes of the filters handed to the bridge, in place, and 0x8F for the refused ones. */
  private static int[] withRefused(int[] codes, boolean[] refused) {
    int[] all = new int[refused.length];
    int next = 0;
    for (int i = 0; i < all.length; i++) {
      all[i] = refused[i] ? ReasonCode.TOPIC_FILTER_INVALID.value() : codes[next++];
    }
    return all;
  }

  private SessionFilters sessionFilters() {
    if (sessionFilters == null) {
      // Subscription changes come after CONNACK, so the bridge session is open by now.
      sessionFilters = new SessionFilters(context.bridgeSession().present());
    }
    return sessionFilters;
  }
}

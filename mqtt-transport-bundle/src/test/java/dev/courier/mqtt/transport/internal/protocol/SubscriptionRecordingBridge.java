package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A bridge over another that records every subscription request and unsubscribed key, and says
 * whether it offers shared subscriptions as the test chooses.
 */
final class SubscriptionRecordingBridge implements MessagingBridge {

  private final MessagingBridge inner;
  private final boolean shared;
  final List<SubscriptionRequest> subscribed = new CopyOnWriteArrayList<>();
  final List<String> unsubscribed = new CopyOnWriteArrayList<>();

  SubscriptionRecordingBridge(MessagingBridge inner, boolean shared) {
    this.inner = inner;
    this.shared = shared;
  }

  @Override
  public String name() {
    return "recording";
  }

  @Override
  public boolean sharedSubscriptions() {
    return shared;
  }

  @Override
  public CompletionStage<BridgeSession> openSession(SessionRequest request) {
    return inner.openSession(request).thenApply(session -> new ForwardingSession(session) {
      @Override
      public CompletionStage<List<Integer>> subscribe(List<SubscriptionRequest> requests) {
        subscribed.addAll(requests);
        return inner.subscribe(requests);
      }

      @Override
      public CompletionStage<Void> unsubscribe(List<String> filters) {
        unsubscribed.addAll(filters);
        return inner.unsubscribe(filters);
      }
    });
  }
}

package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** The filters of one SUBSCRIBE that go to the bridge, and the codes of all of them. */
final class SubscribeBatch {
  final int packetId;
  final int[] codes;
  /** The SUBSCRIBE's filters, in its order (as {@link #codes}): for the events log. */
  final List<MqttTopicSubscription> filters;
  final List<SubscriptionRequest> requests = new ArrayList<>();
  final List<Integer> positions = new ArrayList<>();

  SubscribeBatch(int packetId, int[] codes, List<MqttTopicSubscription> filters) {
    this.packetId = packetId;
    this.codes = codes;
    this.filters = filters;
  }

  void add(SubscriptionRequest request, int position) {
    requests.add(request);
    positions.add(position);
  }

  void refuseAll() {
    positions.forEach(position -> codes[position] = ReasonCode.UNSPECIFIED_ERROR.value());
    requests.clear();
    positions.clear();
  }

  /** The requests the authorizer allowed; the others get {@code refusal} and are reported. */
  SubscribeBatch allowedBy(List<CompletableFuture<Boolean>> decisions, ReasonCode refusal,
      Consumer<SubscriptionRequest> onDenied) {
    SubscribeBatch allowed = new SubscribeBatch(packetId, codes, filters);
    for (int i = 0; i < requests.size(); i++) {
      if (PublishAuthorization.isAllowed(decisions.get(i))) {
        allowed.add(requests.get(i), positions.get(i));
      } else {
        onDenied.accept(requests.get(i));
        codes[positions.get(i)] = refusal.value();
      }
    }
    return allowed;
  }
}

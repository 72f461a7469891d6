package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.InboundProperties;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.internal.topic.TopicSyntax;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import dev.courier.mqtt.transport.spi.topic.SharedSubscriptions;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one SUBSCRIBE asks for, filter by filter: its Subscription Identifier, which filters are
 * refused before the authorizer is asked (invalid, over the server's topic bounds, reserved, shared
 * where the bridge has no shared subscriptions), and the bridge's request for each of the others,
 * a shared subscription ({@code $share/{ShareName}/{filter}}, MQTT 5.0 section 4.8.2) split into
 * its ShareName and filter.
 */
final class SubscribeFilters {

  private static final Logger LOG = LoggerFactory.getLogger(SubscribeFilters.class);

  private final ConnectionContext context;

  SubscribeFilters(ConnectionContext context) {
    this.context = context;
  }

  /**
   * What makes a whole SUBSCRIBE a protocol error on 5.0: No Local on a shared subscription
   * [MQTT-3.8.3-4] (DISCONNECT 0x82), and a shared subscription whose ShareName is empty or holds
   * {@code +} or {@code #}, or that has no filter after it [MQTT-4.8.2-1] [MQTT-4.8.2-2]
   * (DISCONNECT 0x8F). A 3.x client's malformed {@code $share/} filter is only refused (0x80).
   */
  void checkShared(List<MqttTopicSubscription> filters) {
    for (MqttTopicSubscription filter : filters) {
      String written = filter.topicFilter();
      if (!SharedSubscriptions.isShared(written)) {
        continue;
      }
      if (filter.option().isNoLocal()) {
        throw new ProtocolViolation("MQTT-3.8.3-4", "No Local on a shared subscription");
      }
      if (context.writer().hasProperties() && !SharedSubscriptions.isValid(written)) {
        throw new ProtocolViolation(ReasonCode.TOPIC_FILTER_INVALID, "MQTT-4.8.2-2",
            "malformed shared subscription");
      }
    }
  }

  /**
   * The Subscription Identifier of a SUBSCRIBE (0: none); [MQTT-3.8.2-?] 3.8.2.1.2: 0 is a
   * protocol error, and so is more than one.
   */
  static int subscriptionId(MqttSubscribeMessage subscribe) {
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

  /** The bridge's request for a filter that {@link #refusal} accepted. */
  static SubscriptionRequest request(MqttTopicSubscription filter, int subscriptionId) {
    MqttSubscriptionOption options = filter.option();
    String written = filter.topicFilter();
    boolean shared = SharedSubscriptions.isShared(written);
    return new SubscriptionRequest(shared ? SharedSubscriptions.topicFilter(written) : written,
        options.qos().value(), options.isNoLocal(), options.isRetainAsPublished(),
        options.retainHandling().value(), subscriptionId,
        shared ? SharedSubscriptions.shareName(written) : null);
  }

  /** Why a filter is refused, or null if the client may have it (authorizer permitting). */
  ReasonCode refusal(MqttTopicSubscription filter) {
    String topicFilter = filter.topicFilter();
    if (!TopicSyntax.isValidTopicFilter(topicFilter)) {
      LOG.debug("Client {} subscribed to an invalid topic filter; refused", context.clientId());
      return ReasonCode.TOPIC_FILTER_INVALID;
    }
    // The server's bounds, on the filter as written ($share/{ShareName}/ included): 0x8F, as
    // SUBACK says of a filter "not malformed, but not accepted" (3.9.3); 0x80 on 3.x.
    if (TopicLimits.exceeded(context, context.clientId(), topicFilter, "SUBSCRIBE topic filter")
        != null) {
      return ReasonCode.TOPIC_FILTER_INVALID;
    }
    if (SharedSubscriptions.isShared(topicFilter)) {
      // 4.8.2, also for 3.x clients (as other brokers do): $share/ never names ordinary topics.
      if (!context.parts().bridge().sharedSubscriptions()) {
        return ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
      }
      if (!SharedSubscriptions.isValid(topicFilter)) {
        LOG.debug("Client {} subscribed to a malformed shared subscription; refused",
            context.clientId());
        return ReasonCode.TOPIC_FILTER_INVALID;
      }
      // The topic space is what reserved topics and the authorizer judge, not the group's name.
      topicFilter = SharedSubscriptions.topicFilter(topicFilter);
    }
    if (context.parts().reserved().confines(topicFilter)) {
      context.parts().access().countDeniedSubscription();
      LOG.debug("Client {} subscribed to the reserved topic filter {}; refused",
          context.clientId(), topicFilter);
      return context.parts().access().refusalCode();
    }
    return null;
  }
}

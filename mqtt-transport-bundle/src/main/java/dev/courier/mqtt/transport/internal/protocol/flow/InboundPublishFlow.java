package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.context.ReadGate;
import dev.courier.mqtt.transport.internal.protocol.context.ReasonStrings;
import dev.courier.mqtt.transport.internal.protocol.dialect.InboundProperties;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.internal.topic.TopicSyntax;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.PublishResult;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client-to-server publications: checks a PUBLISH, hands it to {@link PublishAuthorization}, and
 * acknowledges it (PUBACK, PUBREC; PUBCOMP for PUBREL) only once the bridge has it, in arrival
 * order [MQTT-4.6.0-2]; stops reading from a client while {@code maxInflightMessages} publications
 * are pending, and while it publishes faster than {@code maxPublishRate} ({@link PublishRate}).
 */
public final class InboundPublishFlow {

  private static final Logger LOG = LoggerFactory.getLogger(InboundPublishFlow.class);

  /** The stage of a resent QoS 2 publication the bridge already has: nothing to wait for. */
  private static final CompletableFuture<PublishResult> ALREADY_KEPT =
      CompletableFuture.completedFuture(PublishResult.ACCEPTED);

  /**
   * Why a publication whose topic name is over {@code maxTopicLength} or {@code maxTopicLevels}
   * was not forwarded; shared and stackless.
   */
  private static final RuntimeException TOPIC_NOT_ACCEPTED =
      new NotForwarded("topic name not accepted");

  /** The stage of such a publication. */
  private static final CompletableFuture<PublishResult> TOPIC_REFUSED =
      CompletableFuture.failedFuture(TOPIC_NOT_ACCEPTED);

  private final ConnectionContext context;
  private final PublishAuthorization authorization;
  private final int maxPending;
  /** {@code maxPublishRate}, or null without one. */
  private final PublishRate rate;
  /** Inbound publications whose bridge stage has not completed, in arrival order. */
  private ArrayDeque<Pending> pending;
  /** QoS 1 entries of {@link #pending}. */
  private int pendingQos1;
  /** Created at the first PUBLISH: most clients never use aliases. */
  private TopicAliases aliases;

  public InboundPublishFlow(ConnectionContext context, PublishAuthorization authorization) {
    this.context = context;
    this.authorization = authorization;
    this.maxPending = context.config().maxInflightMessages();
    int maxRate = context.config().maxPublishRate();
    this.rate = maxRate > 0 ? new PublishRate(context, maxRate) : null;
  }

  /** A PUBLISH from the client. */
  public void onPublish(MqttPublishMessage publish) {
    if (rate != null) {
      rate.arrived();
    }
    InboundProperties properties = InboundProperties.of(publish.variableHeader().properties());
    String topic = aliases().resolve(publish.variableHeader().topicName(),
        properties.integer(MqttPropertyType.TOPIC_ALIAS, -1));
    // [MQTT-3.3.2-2] no wildcards in a topic name; [MQTT-4.7.3-1] not empty.
    if (!TopicSyntax.isValidTopicName(topic)) {
      throw new ProtocolViolation(ReasonCode.TOPIC_NAME_INVALID, "MQTT-3.3.2-2",
          "invalid topic name in PUBLISH");
    }
    int qos = publish.fixedHeader().qosLevel().value();
    int packetId = publish.variableHeader().packetId();
    if (qos > 0 && packetId == 0) {
      throw new ProtocolViolation("MQTT-2.3.1-1", "QoS " + qos + " PUBLISH with packet id 0");
    }
    byte[] payload = ByteBufUtil.getBytes(publish.payload());
    MessageProperties message = PublishProperties.check(properties, payload);
    if (qos > 0 && inFlight() >= context.negotiated().serverReceiveMaximum()) {
      // [MQTT-3.3.4-9] more unacknowledged QoS 1/2 publications than our Receive Maximum.
      throw new ProtocolViolation(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "MQTT-3.3.4-9",
          "more than " + context.negotiated().serverReceiveMaximum() + " publications in flight");
    }
    String limit =
        TopicLimits.exceeded(context, context.clientId(), topic, "PUBLISH topic name");
    if (limit != null) {
      refuseTopic(qos, packetId, limit);
      return;
    }
    Publication publication = new Publication(topic, payload, qos,
        publish.fixedHeader().isRetain(), context.clientId(), message);
    switch (qos) {
      case 0 -> track(authorization.publish(publication, 0), null, 0, false);
      case 1 -> track(authorization.publish(publication, packetId), MqttMessageType.PUBACK,
          packetId, false);
      default -> {
        if (!context.session().receiveQos2(packetId, publish.fixedHeader().isDup())) {
          // [MQTT-4.3.3-2] a resent QoS 2 PUBLISH is acknowledged, not forwarded again; the
          // PUBREC queues behind publications still with the bridge (the original may be one).
          track(ALREADY_KEPT, MqttMessageType.PUBREC, packetId, false);
          return;
        }
        track(authorization.publish(publication, packetId), MqttMessageType.PUBREC, packetId,
            true);
      }
    }
  }

  /**
   * A topic name over {@code maxTopicLength} or {@code maxTopicLevels}: at QoS 1/2 on 5.0, 0x90
   * Topic Name invalid ("not malformed, but not accepted", 3.4.2.1, 3.5.2.1) in the PUBACK or
   * PUBREC, in its turn; a PUBREC with an error ends the exchange (4.3.3). A 5.0 QoS 0 publication
   * has no ack to carry the code: DISCONNECT 0x90, as for a malformed topic name; a 3.x client is
   * closed, since its acks cannot refuse (3.x section 4.8).
   */
  private void refuseTopic(int qos, int packetId, String limit) {
    if (qos == 0 || !context.writer().hasProperties()) {
      throw new ProtocolViolation(ReasonCode.TOPIC_NAME_INVALID, limit,
          "topic name over " + limit);
    }
    track(TOPIC_REFUSED, qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, packetId,
        false);
  }

  /** PUBREL: [MQTT-4.3.3-2] forget the packet id and answer PUBCOMP, even if it was unknown. */
  public void onPubrel(int packetId) {
    context.session().releaseQos2(packetId);
    context.bridgeSession().release(packetId);
    context.port().write(context.writer().ack(MqttMessageType.PUBCOMP, packetId,
        ReasonCode.SUCCESS, null));
  }

  private TopicAliases aliases() {
    if (aliases == null) {
      aliases = new TopicAliases(context.negotiated().serverTopicAliasMaximum());
    }
    return aliases;
  }

  /** QoS 1 publications not yet acknowledged, and QoS 2 ones not yet released. */
  private int inFlight() {
    return pendingQos1 + context.session().awaitingReleaseCount();
  }

  private void track(CompletableFuture<PublishResult> stage, MqttMessageType ack, int packetId,
      boolean qos2Forwarded) {
    if ((pending == null || pending.isEmpty()) && stage.isDone()
        && !stage.isCompletedExceptionally() && stage.getNow(null).kept()) {
      if (ack != null) {
        writeAck(ack, packetId, codeFor(stage.getNow(null)));
      }
      return;
    }
    if (pending == null) {
      pending = new ArrayDeque<>();
    }
    pending.add(new Pending(stage, ack, packetId, qos2Forwarded));
    if (ack == MqttMessageType.PUBACK) {
      pendingQos1++;
    }
    if (pending.size() >= maxPending && context.gate().pause(ReadGate.Reason.BACKLOG)) {
      LOG.debug("Client {}: {} publications pending in the bridge, reading paused",
          context.clientId(), pending.size());
    }
    stage.whenComplete((ignored, error) -> context.onLoop(this::completePending));
  }

  private void completePending() {
    if (context.closed() || pending == null) {
      return;
    }
    boolean wrote = false;
    while (!pending.isEmpty() && pending.peek().stage().isDone()) {
      Pending done = pending.poll();
      if (done.ack() == MqttMessageType.PUBACK) {
        pendingQos1--;
      }
      ReasonCode code = outcome(done);
      if (code == null) {
        failed(done);
        return;
      }
      if (done.ack() != null) {
        writeAck(done.ack(), done.packetId(), code);
        wrote = true;
      }
    }
    if (wrote) {
      context.port().flush();
    }
    if (pending.size() <= maxPending / 2) {
      context.gate().resume(ReadGate.Reason.BACKLOG);
    }
  }

  /**
   * The reason code of a completed publication's ack, or null if the connection must close
   * without one (the bridge does not have it and the client can only be told by a resend). A
   * refusal is 0x87 and a full host 0x97 on 5.0, where a PUBREC with an error also ends the QoS 2
   * exchange (no PUBREL follows, 4.3.3), so its packet id is free again; 3.x acknowledges a refused
   * publication as usual [MQTT-3.3.5-2] and closes on a full host. 0x10 No matching subscribers is
   * a success: the publication is kept.
   */
  private ReasonCode outcome(Pending done) {
    boolean five = context.writer().hasProperties();
    ReasonCode code;
    if (done.stage().isCompletedExceptionally()) {
      Throwable failure = ConnectionContext.failure(done.stage());
      if (failure == TOPIC_NOT_ACCEPTED) {
        return ReasonCode.TOPIC_NAME_INVALID; // only 5.0 gets here, see refuseTopic
      }
      if (failure != PublishAuthorization.DENIED) {
        return null;
      }
      code = five ? context.parts().access().refusalCode() : ReasonCode.SUCCESS;
    } else {
      PublishResult result = done.stage().getNow(PublishResult.ACCEPTED);
      if (result == PublishResult.QUOTA_EXCEEDED && !five) {
        return null;
      }
      code = codeFor(result);
    }
    if (code.value() >= 0x80 && done.qos2Forwarded()) {
      context.session().releaseQos2(done.packetId());
    }
    return code;
  }

  /** PUBACK or PUBREC with {@code code}, and a Reason String if it is not Success. */
  private void writeAck(MqttMessageType type, int packetId, ReasonCode code) {
    context.port().write(context.writer().ack(type, packetId, code,
        ReasonStrings.publishAck(context.negotiated(), code)));
  }

  /** The ack code of the bridge's result: its own on 5.0, Success on 3.x (which has none). */
  private ReasonCode codeFor(PublishResult result) {
    if (!context.writer().hasProperties()) {
      return ReasonCode.SUCCESS;
    }
    return switch (result) {
      case ACCEPTED -> ReasonCode.SUCCESS;
      case NO_MATCHING_SUBSCRIBERS -> ReasonCode.NO_MATCHING_SUBSCRIBERS;
      case QUOTA_EXCEEDED -> ReasonCode.QUOTA_EXCEEDED;
    };
  }

  /** The bridge does not have it: close without the ack, so that the client resends it. */
  private void failed(Pending done) {
    if (done.qos2Forwarded()) {
      // The client's resend must be forwarded, not taken for a duplicate.
      context.session().releaseQos2(done.packetId());
    }
    Throwable cause = ConnectionContext.failure(done.stage());
    if (cause == null) {
      LOG.info("Bridge {} is full (quota exceeded) for a publication of client {}; closing so"
          + " that the client resends it", context.parts().bridge().name(), context.clientId());
    } else if (cause == PublishAuthorization.AUTHORIZER_MISSING) {
      LOG.debug("Client {}: publication refused, no authorizer is registered but one is"
          + " required; closing so that the client resends it", context.clientId());
    } else {
      LOG.warn("Bridge {} did not accept a publication of client {}: {}; closing so that the"
          + " client resends it", context.parts().bridge().name(), context.clientId(),
          String.valueOf(cause));
    }
    context.disconnect(ReasonCode.UNSPECIFIED_ERROR, "publication not stored");
  }

  /** See {@link #TOPIC_NOT_ACCEPTED}. */
  private static final class NotForwarded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotForwarded(String message) {
      super(message, null, false, false);
    }
  }

  private record Pending(CompletableFuture<PublishResult> stage, MqttMessageType ack,
      int packetId, boolean qos2Forwarded) {}
}

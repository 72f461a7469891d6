package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionEvents;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionPort;
import dev.courier.mqtt.transport.internal.protocol.context.EngineParts;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.context.ReadGate;
import dev.courier.mqtt.transport.internal.protocol.context.ReasonStrings;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.internal.protocol.flow.CloseFlow;
import dev.courier.mqtt.transport.internal.protocol.flow.ConnectFlow;
import dev.courier.mqtt.transport.internal.protocol.flow.ConnectOutcome;
import dev.courier.mqtt.transport.internal.protocol.flow.ConnectSequence;
import dev.courier.mqtt.transport.internal.protocol.flow.DeliveryFlow;
import dev.courier.mqtt.transport.internal.protocol.flow.EnhancedAuthFlow;
import dev.courier.mqtt.transport.internal.protocol.flow.InboundPublishFlow;
import dev.courier.mqtt.transport.internal.protocol.flow.PacketRules;
import dev.courier.mqtt.transport.internal.protocol.flow.PublishAuthorization;
import dev.courier.mqtt.transport.internal.protocol.flow.SubscriptionFlow;
import dev.courier.mqtt.transport.internal.session.ClientSnapshot;
import dev.courier.mqtt.transport.internal.session.SessionOwner;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core of one client connection: its state, the dispatch of decoded packets to the exchange
 * flows ({@code protocol.flow}), the packets a client pipelines before CONNACK, and the one door
 * out for a protocol violation. Knows no channel and no OSGi; writes through a {@link
 * ConnectionPort}.
 *
 * <p>Threading: every method except {@link #messagesAvailable()} and {@link #takeOver()} runs on the
 * connection's event loop; those two hand their work to it. Completions from the bridge are handed
 * back the same way, so no state here needs a lock.
 *
 * <p>The connection is its own drain task ({@link #run}), so that it holds no task object for it;
 * and its {@link DeliveryFlow} is made at the first delivery, which an idle client never gets.
 */
public final class MqttConnection implements SessionOwner, DeliverySink, Runnable {

  /** Connection lifecycle. */
  enum State {
    /** Nothing received yet. */
    AWAIT_CONNECT,
    /** CONNECT received; authenticating and opening the session; reading paused. */
    CONNECTING,
    /** CONNACK sent. */
    CONNECTED,
    /** The connection is gone (or going); packets are ignored. */
    CLOSED
  }

  private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
  /** {@link #drainScheduled}: a field and a handle rather than an AtomicBoolean per connection. */
  private static final VarHandle DRAIN_SCHEDULED;

  static {
    try {
      DRAIN_SCHEDULED = MethodHandles.lookup()
          .findVarHandle(MqttConnection.class, "drainScheduled", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ConnectionContext context;
  // Made at the first PUBLISH, SUBSCRIBE / UNSUBSCRIBE, the first enhanced authentication, the
  // first packet held, a will or the close: most idle connections never need them.
  private CloseFlow close;
  private PublishAuthorization authorization;
  private InboundPublishFlow inbound;
  private EarlyPackets early;
  private SubscriptionFlow subscriptions;
  private EnhancedAuthFlow enhancedAuth;
  /**
   * A PUBACK or PUBCOMP of this read freed in-flight slots: drain when the read is done, so that a
   * burst of acknowledgements is answered by one batch of deliveries and one flush, not one each.
   */
  private boolean drainAfterRead;
  /** A drain task is queued on the loop; set from any thread through {@link #DRAIN_SCHEDULED}. */
  private volatile boolean drainScheduled;
  /** Packets are held behind a SUBSCRIBE or UNSUBSCRIBE being applied (see holdWhileSubscribing). */
  private boolean holding;

  private State state = State.AWAIT_CONNECT;
  /** Made by {@link #delivery()}: at the first delivery, or to resend what a session left. */
  private DeliveryFlow delivery;

  /** The engine of a new connection of a running transport: see {@link MqttEngine#newConnection}. */
  MqttConnection(ConnectionPort port, EngineParts parts) {
    this.context = new ConnectionContext(port, parts);
  }

  /** The connection's port: kept by the context alone. */
  private ConnectionPort port() {
    return context.port();
  }

  private DeliveryFlow delivery() {
    if (delivery == null) {
      delivery = new DeliveryFlow(context);
    }
    return delivery;
  }

  private CloseFlow close() {
    if (close == null) {
      close = new CloseFlow(context, this);
    }
    return close;
  }

  /** Whether the client said DISCONNECT: nothing after it is read [MQTT-3.14.4-2]. */
  private boolean closing() {
    return close != null && close.closing();
  }

  private PublishAuthorization authorization() {
    if (authorization == null) {
      authorization = new PublishAuthorization(context);
    }
    return authorization;
  }

  private InboundPublishFlow inbound() {
    if (inbound == null) {
      inbound = new InboundPublishFlow(context, authorization());
    }
    return inbound;
  }

  private EarlyPackets early() {
    if (early == null) {
      early = new EarlyPackets();
    }
    return early;
  }

  /** Whether packets are held: what arrives now must queue behind them. */
  private boolean holdsEarly() {
    return early != null && early.holds();
  }

  private SubscriptionFlow subscriptions() {
    if (subscriptions == null) {
      subscriptions = new SubscriptionFlow(context);
    }
    return subscriptions;
  }

  private EnhancedAuthFlow enhancedAuth() {
    if (enhancedAuth == null) {
      enhancedAuth = new EnhancedAuthFlow(context);
    }
    return enhancedAuth;
  }

  /** An exchange in progress answers nothing more. */
  private void abandonEnhancedAuth() {
    if (enhancedAuth != null) {
      enhancedAuth.closed();
    }
  }

  /** The client id once CONNECT was read, else null; for logs. */
  public String clientId() {
    return context.clientId();
  }

  State state() {
    return state;
  }

  /**
   * Processes one decoded packet. The caller keeps ownership of the packet's buffers and releases
   * them after this returns.
   *
   * @throws ProtocolViolation if the client broke the protocol; the caller calls {@link #fail}
   */
  public void handle(MqttMessage message) {
    MqttFixedHeader header = message.fixedHeader();
    PacketRules.checkFlags(header);
    switch (state) {
      case AWAIT_CONNECT -> {
        if (header.messageType() != MqttMessageType.CONNECT) {
          throw new ProtocolViolation("MQTT-3.1.0-1",
              "first packet was " + header.messageType() + ", not CONNECT");
        }
        onConnect((MqttConnectMessage) message);
      }
      case CONNECTING -> {
        if (context.authMethod() != null) {
          enhancedAuth().beforeConnAck(message); // only AUTH and DISCONNECT [MQTT-3.1.2-30]
        } else {
          early().hold(message, EarlyPackets.MAX_BEFORE_CONNACK);
        }
      }
      case CONNECTED -> {
        if (closing()) {
          // [MQTT-3.14.4-2] nothing may follow DISCONNECT; the channel is closing.
          LOG.trace("Ignoring {} after DISCONNECT of client {}", header.messageType(),
              context.clientId());
        } else if (holding || holdsEarly()) {
          // behind a SUBSCRIBE or UNSUBSCRIBE still being applied
          early().hold(message, EarlyPackets.MAX_BEHIND_SUBSCRIBE);
        } else {
          dispatch(message);
        }
      }
      case CLOSED -> LOG.trace("Ignoring {} from closed connection of client {}",
          header.messageType(), context.clientId());
      default -> throw new IllegalStateException(state.name());
    }
  }

  /**
   * The one door out for a client's protocol violation: DISCONNECT with its reason code on MQTT
   * 5.0 [MQTT-4.13.1-1], closing on 3.x (and before CONNECT was understood).
   */
  public void fail(ProtocolViolation violation) {
    LOG.debug("Closing connection of client {} from {}: {}", context.clientId(),
        port().remoteAddress(), violation.toString());
    abandonEnhancedAuth();
    context.disconnect(violation.reason(), violation.getMessage());
  }

  // ---------------------------------------------------------------- CONNECT

  private void onConnect(MqttConnectMessage connect) {
    state = State.CONNECTING;
    new ConnectSequence(context, this, this::enhancedAuth).run(connect)
        .thenAccept(this::afterConnect);
  }

  private void afterConnect(ConnectOutcome outcome) {
    if (outcome == ConnectOutcome.GONE) {
      close().letGo();
    } else if (!outcome.accepted()) {
      refuse(outcome);
    } else if (state == State.CONNECTING) {
      if (outcome.will() != null) {
        close().will(outcome.will());
      }
      connected(outcome);
    }
  }

  /**
   * A CONNECT the codec could not accept (unknown protocol level, rejected client id): answer with
   * {@code code} and close, as for every other refused CONNECT [MQTT-3.1.2-2] [MQTT-3.1.3-9].
   */
  public void refuseUndecodableConnect(ReasonCode code, String reason) {
    if (state == State.AWAIT_CONNECT) {
      refuse(ConnectOutcome.refused(code, "", reason));
    } else {
      port().close();
    }
  }

  private void refuse(ConnectOutcome outcome) {
    LOG.debug("Refusing CONNECT of client '{}' from {}: {} ({})", outcome.clientId(),
        port().remoteAddress(), outcome.code(), outcome.reason());
    context.events().refused(outcome.clientId(), port().remoteAddress(), outcome.code().name());
    state = State.CLOSED;
    // The client is told the code's fixed text, never the outcome's reason (that is for the log).
    context.send(context.writer().connAckRefused(outcome.code(),
        ReasonStrings.connAck(context.negotiated(), outcome.code())));
    port().closeAfterLastPacket(); // the client may have pipelined more: let it read the CONNACK
  }

  private void connected(ConnectOutcome outcome) {
    boolean present = outcome.sessionPresent();
    boolean will = outcome.will() != null;
    // [MQTT-3.2.2-1] [MQTT-3.2.2-2] session present only for a resumed persistent session;
    // MQTT 3.1 had no such flag.
    port().write(context.writer().connAck(ReasonCode.SUCCESS,
        present && context.dialect().hasSessionPresent(),
        ConnectFlow.connAckProperties(context, outcome.authData())));
    state = State.CONNECTED;
    context.markAcknowledged();
    context.events().connected(context.clientId(),
        context.identity() == null ? null : context.identity().username(), port().remoteAddress(),
        ConnectionEvents.version(context.version()),
        context.negotiated().keepAliveSeconds(), context.cleanStart(), present, will);
    Runnable delayedWill = context.parts().registry().wills().take(context.clientId());
    if (delayedWill != null && !present) {
      delayedWill.run(); // [MQTT-3.1.3-9] the old session ended with this CONNECT: its will is due
    }
    if (context.session().inflightCount() > 0) {
      delivery().resendInflight();
    }
    context.bridgeSession().attach(this);
    port().flush();
    replayEarly();
    if (state == State.CONNECTED) {
      context.gate().resume(ReadGate.Reason.CONNECTING);
      drainNow();
    }
  }

  /**
   * Holds what the client sends after a SUBSCRIBE or UNSUBSCRIBE until the bridge has applied it:
   * a client that subscribes and then publishes to a matching topic gets its own message
   * [MQTT-3.8.4-3 applies the change before the ack; later packets must not overtake it].
   */
  private void holdWhileSubscribing() {
    CompletableFuture<Void> settled = subscriptions().settled();
    if (!holding && !settled.isDone()) {
      holding = true;
      context.gate().pause(ReadGate.Reason.SUBSCRIBING);
      settled.whenComplete((ignored, error) -> context.onLoop(this::stopHolding));
    }
  }

  private void stopHolding() {
    holding = false;
    context.gate().resume(ReadGate.Reason.SUBSCRIBING);
    if (state == State.CONNECTED) {
      replayEarly();
    }
  }

  private void replayEarly() {
    if (early == null) {
      port().flush();
      return;
    }
    try {
      early.replay(this::dispatch,
          () -> state == State.CONNECTED && !closing() && !holding);
      port().flush();
    } catch (ProtocolViolation violation) {
      fail(violation);
    }
  }

  // ---------------------------------------------------------------- connected

  private void dispatch(MqttMessage message) {
    switch (message.fixedHeader().messageType()) {
      case PUBLISH -> inbound().onPublish((MqttPublishMessage) message);
      case PUBACK -> {
        delivery().onPuback(PacketRules.packetId(message));
        drainAfterRead = true; // the freed slots are filled once per read, in one flush
      }
      case PUBREC -> delivery().onPubrec(PacketRules.packetId(message));
      case PUBREL -> inbound().onPubrel(PacketRules.packetId(message));
      case PUBCOMP -> {
        delivery().onPubcomp(PacketRules.packetId(message));
        drainAfterRead = true;
      }
      case SUBSCRIBE -> {
        subscriptions().onSubscribe((MqttSubscribeMessage) message);
        holdWhileSubscribing();
      }
      case UNSUBSCRIBE -> {
        subscriptions().onUnsubscribe((MqttUnsubscribeMessage) message);
        holdWhileSubscribing();
      }
      case PINGREQ -> port().write(context.writer().pingResp());
      case DISCONNECT -> close().onDisconnect(message);
      case AUTH -> enhancedAuth().onAuth(message); // re-authentication (4.12.1)
      case CONNECT -> throw new ProtocolViolation("MQTT-3.1.0-2", "second CONNECT");
      default -> throw new ProtocolViolation("MQTT-4.8.0-1",
          "client sent " + message.fixedHeader().messageType());
    }
  }

  // ---------------------------------------------------------------- delivery and flow control

  @Override
  public void messagesAvailable() {
    if (DRAIN_SCHEDULED.compareAndSet(this, false, true)) {
      port().handOff(this); // from a publisher's loop: once that loop's read is done
    }
  }

  /** The drain task that {@link #messagesAvailable()} hands to the loop; not for other callers. */
  @Override
  public void run() {
    drainNow();
  }

  private void drainNow() {
    drainScheduled = false;
    if (state != State.CONNECTED) {
      return;
    }
    boolean more;
    if (delivery != null) {
      more = delivery.drain();
    } else {
      // No delivery yet (so none in flight, nor a window to check): the flow waits for one.
      Delivery first = port().isWritable() ? context.bridgeSession().poll() : null;
      more = first != null && delivery().drain(first);
    }
    if (more) {
      messagesAvailable(); // batch limit reached: continue after other connections had a turn
    }
  }

  /** The channel became writable again: read from the client again, and send. */
  public void writable() {
    context.gate().resume(ReadGate.Reason.OUTBOUND);
    drainNow();
  }

  /**
   * The outbound buffer passed its high-water mark: the client does not read what is sent to it.
   * Stop reading from it too, so that what it sends cannot grow the acknowledgements waiting for it
   * without bound.
   */
  public void unwritable() {
    if (state != State.CLOSED && context.gate().pause(ReadGate.Reason.OUTBOUND)) {
      LOG.trace("Client {}: outbound buffer full, reading paused", context.clientId());
    }
  }

  /**
   * Nothing came from the client for 1.5 times its keep alive [MQTT-3.1.2-22]. Not while reading
   * is paused for {@code maxPublishRate}: then the silence is ours, and the client is slowed down,
   * never disconnected; the timer fires again a keep-alive period later.
   */
  public void keepAliveExpired() {
    if (context.gate().isPaused(ReadGate.Reason.PUBLISH_RATE)) {
      LOG.trace("Keep-alive of client {} expired while it is throttled; not closing",
          context.clientId());
      return;
    }
    if (state != State.CLOSED) {
      LOG.debug("Keep-alive of client {} from {} expired; closing", context.clientId(),
          port().remoteAddress());
      context.disconnect(ReasonCode.KEEP_ALIVE_TIMEOUT, "keep alive timeout");
    }
  }

  /** The read batch ended: send what was answered. */
  public void readComplete() {
    if (state != State.CLOSED) {
      if (drainAfterRead) {
        drainAfterRead = false;
        drainNow();
      }
      port().flush();
    }
  }

  // ---------------------------------------------------------------- closing

  @Override
  public CompletionStage<ClientSnapshot> describe() {
    CompletableFuture<ClientSnapshot> described = new CompletableFuture<>();
    try {
      context.onLoop(() -> described.complete(state != State.CONNECTED ? null
          : new ClientSnapshot(context.clientId(),
              context.identity() == null ? null : context.identity().username(),
              port().remoteAddress(), ConnectionEvents.version(context.version()),
              Instant.now().minusMillis(context.connectedMillis()),
              context.negotiated().keepAliveSeconds(), context.cleanStart(),
              context.session() == null ? 0 : context.session().inflightCount())));
    } catch (RejectedExecutionException stopped) {
      described.complete(null); // its loop has gone: so has the connection
    }
    return described;
  }

  @Override
  public void kick(String reason) {
    context.onLoop(() -> {
      if (state == State.CONNECTED) {
        context.events().kicked(context.clientId(), port().remoteAddress(), reason);
        context.disconnect(ReasonCode.ADMINISTRATIVE_ACTION,
            reason == null || reason.isBlank() ? "disconnected by an administrator" : reason);
      }
    });
  }

  @Override
  public CompletionStage<Void> takeOver() {
    context.onLoop(() -> close().takeOver()); // on the loop: close() is the loop's to make
    return context.released();
  }

  /** The connection closed, for whatever reason. Publishes the will unless DISCONNECT was sent. */
  public void closed() {
    State was = state;
    state = State.CLOSED;
    context.markClosed();
    if (early != null) {
      early.release();
    }
    abandonEnhancedAuth();
    if (was == State.CONNECTED) {
      close().connectedClosed(authorization());
    } else if (was == State.AWAIT_CONNECT) {
      context.released().complete(null);
    }
    // CONNECTING: the session flow sees the connection closed and lets go.
  }
}

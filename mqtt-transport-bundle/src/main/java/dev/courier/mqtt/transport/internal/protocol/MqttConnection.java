package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.context.BoundedCall;
import dev.courier.mqtt.transport.internal.protocol.context.ReadGate;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionPort;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.session.ClientSession;
import dev.courier.mqtt.transport.internal.session.SessionOwner;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.internal.topic.ReservedTopics;
import dev.courier.mqtt.transport.internal.topic.TopicSyntax;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult;
import dev.courier.mqtt.transport.spi.auth.Authenticator;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT 3.1 / 3.1.1 protocol engine of one client connection: a state machine fed with decoded
 * packets, writing its answers to a {@link ConnectionPort}. Knows no channel and no OSGi.
 *
 * <p>Threading: every method except {@link #messagesAvailable()} and {@link #takeOver()} runs on the
 * connection's event loop; those two hand their work to it. Completions from the bridge are handed
 * back the same way, so no state here needs a lock.
 */
public final class MqttConnection implements SessionOwner, DeliverySink {

  /** Connection lifecycle. */
  enum State {
    /** Nothing received yet. */
    AWAIT_CONNECT,
    /** CONNECT received; claiming the client id and opening the session; reading paused. */
    CONNECTING,
    /** CONNACK sent. */
    CONNECTED,
    /** The connection is gone (or going); packets are ignored. */
    CLOSED
  }

  private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
  /** Connection events, separate from diagnostics so operators can route them. */
  private static final Logger EVENTS = LoggerFactory.getLogger("dev.courier.mqtt.transport.events");
  /** Topics whose publish decision one connection remembers. */
  private static final int MAX_REMEMBERED_DECISIONS = 256;
  /**
   * Why a publication failed when a required authorizer is absent: the client is closed without an
   * acknowledgement, and this is no fault of the bridge. Shared and stackless: it carries no state.
   */
  private static final RuntimeException AUTHORIZER_MISSING = new AuthorizerMissing();

  /** Packets a client may pipeline behind CONNECT before CONNACK is sent. */
  private static final int MAX_EARLY_PACKETS = 1024;

  private final ConnectionPort port;
  private final TransportConfig config;
  private final SessionRegistry registry;
  private final MessagingBridge bridge;
  private final AccessControl access;
  private final ReservedTopics reserved;
  private final ReadGate gate;
  private final CompletableFuture<Void> released = new CompletableFuture<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Runnable drainTask = this::drainNow;

  private State state = State.AWAIT_CONNECT;
  private String clientId;
  private MqttVersion version;
  private boolean cleanSession;
  private boolean sessionHeld;
  private ClientSession session;
  private BridgeSession bridgeSession;
  private DeliveryFlow delivery;
  private Publication will;
  private boolean disconnectReceived;
  private boolean takenOver;
  private ArrayDeque<MqttMessage> early;
  /** Inbound publications whose bridge stage has not completed, in arrival order. */
  private ArrayDeque<PendingPublish> pending;
  /** Who the authenticator said this client is; anonymous without an authenticator. */
  private ClientIdentity identity;
  /** The authorizer present at CONNECT, or null: every topic allowed. */
  private Authorizer authorizer;
  /** Immediate publish decisions of the authorizer, by topic; created on first use. */
  private HashMap<String, Boolean> publishDecisions;
  /** Completes once the latest publication was handed to the bridge or dropped; never fails. */
  private CompletableFuture<Void> lastRouted = CompletableFuture.completedFuture(null);
  /** Completes once the latest SUBSCRIBE or UNSUBSCRIBE went to the bridge; never fails. */
  private CompletableFuture<Void> lastSubscriptionChange = CompletableFuture.completedFuture(null);

  /**
   * Creates the engine of a new connection.
   *
   * @param port the connection
   * @param config the transport settings
   * @param registry sessions and owners of this transport
   * @param bridge where messages go
   */
  public MqttConnection(ConnectionPort port, TransportConfig config, SessionRegistry registry,
      MessagingBridge bridge) {
    this(port, config, registry, bridge, AccessControl.open());
  }

  /**
   * Creates the engine of a new connection with authentication and authorization.
   *
   * @param port the connection
   * @param config the transport settings
   * @param registry sessions and owners of this transport
   * @param bridge where messages go
   * @param access the authenticator and authorizer for new connections
   */
  public MqttConnection(ConnectionPort port, TransportConfig config, SessionRegistry registry,
      MessagingBridge bridge, AccessControl access) {
    this(port, new MqttEngine(config, registry, bridge, access));
  }

  /** The engine of a new connection of a running transport: see {@link MqttEngine#newConnection}. */
  MqttConnection(ConnectionPort port, MqttEngine engine) {
    this.port = port;
    this.config = engine.config();
    this.registry = engine.registry();
    this.bridge = engine.bridge();
    this.access = engine.access();
    this.reserved = engine.reserved();
    this.gate = new ReadGate(port, engine.statistics());
  }

  /** The client id once CONNECT was read, else null; for logs. */
  public String clientId() {
    return clientId;
  }

  State state() {
    return state;
  }

  /**
   * Processes one decoded packet. The caller keeps ownership of the packet's buffers and releases
   * them after this returns.
   *
   * @throws ProtocolViolation if the client broke the protocol; the caller logs it and closes
   */
  public void handle(MqttMessage message) {
    MqttFixedHeader header = message.fixedHeader();
    checkFlags(header);
    switch (state) {
      case AWAIT_CONNECT -> {
        if (header.messageType() != MqttMessageType.CONNECT) {
          throw new ProtocolViolation("MQTT-3.1.0-1",
              "first packet was " + header.messageType() + ", not CONNECT");
        }
        onConnect((MqttConnectMessage) message);
      }
      case CONNECTING -> {
        if (header.messageType() == MqttMessageType.CONNECT) {
          throw new ProtocolViolation("MQTT-3.1.0-2", "second CONNECT");
        }
        if (early == null) {
          early = new ArrayDeque<>();
        }
        if (early.size() >= MAX_EARLY_PACKETS) {
          throw new ProtocolViolation("MQTT-4.8.0-1", "too many packets before CONNACK");
        }
        early.add(ReferenceCountUtil.retain(message));
      }
      case CONNECTED -> {
        if (disconnectReceived) {
          // [MQTT-3.14.4-2] nothing may follow DISCONNECT; the channel is closing.
          LOG.trace("Ignoring {} after DISCONNECT of client {}", header.messageType(), clientId);
        } else {
          dispatch(message);
        }
      }
      case CLOSED -> LOG.trace("Ignoring {} from closed connection of client {}",
          header.messageType(), clientId);
      default -> throw new IllegalStateException(state.name());
    }
  }

  /**
   * [MQTT-2.2.2-1] [MQTT-2.2.2-2] reserved fixed-header flags must be as the spec lists them; MQTT
   * 5.0 section 2.1.3 calls other flags a Malformed Packet.
   */
  private static void checkFlags(MqttFixedHeader header) {
    switch (header.messageType()) {
      case PUBLISH -> {
        if (header.isDup() && header.qosLevel() == MqttQoS.AT_MOST_ONCE) {
          throw new ProtocolViolation("MQTT-3.3.1-2", "DUP set on a QoS 0 PUBLISH");
        }
      }
      case PUBREL, SUBSCRIBE, UNSUBSCRIBE -> {
        if (header.isDup() || header.isRetain() || header.qosLevel() != MqttQoS.AT_LEAST_ONCE) {
          throw new ProtocolViolation(ReasonCode.MALFORMED_PACKET, "MQTT-2.2.2-2",
              "reserved flags of " + header.messageType() + " are not 0010");
        }
      }
      default -> {
        if (header.isDup() || header.isRetain() || header.qosLevel() != MqttQoS.AT_MOST_ONCE) {
          throw new ProtocolViolation(ReasonCode.MALFORMED_PACKET, "MQTT-2.2.2-2",
              "reserved flags of " + header.messageType() + " are not 0000");
        }
      }
    }
  }

  // ---------------------------------------------------------------- CONNECT

  private void onConnect(MqttConnectMessage connect) {
    MqttConnectVariableHeader header = connect.variableHeader();
    MqttConnectPayload payload = connect.payload();
    version = MqttVersion.fromProtocolNameAndLevel(header.name(), (byte) header.version());
    if (version == MqttVersion.MQTT_5) {
      // MQTT 5 is not served yet. The codec already speaks 5.0 on this channel, so the refusal is
      // the 5.0 reason code 0x84 Unsupported Protocol Version [MQTT-3.1.2-2].
      refuse(MqttConnectReturnCode.CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION,
          payload.clientIdentifier(), "MQTT 5 is not supported yet");
      return;
    }
    if (header.hasPassword() && !header.hasUserName()) {
      throw new ProtocolViolation("MQTT-3.1.2-22", "password without user name");
    }
    cleanSession = header.isCleanSession();
    String id = payload.clientIdentifier();
    if (id == null || id.isEmpty()) {
      // [MQTT-3.1.3-7] [MQTT-3.1.3-8] an empty id is assigned one only with a clean session;
      // MQTT 3.1 requires an id.
      if (!cleanSession || version == MqttVersion.MQTT_3_1) {
        refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "",
            "empty client id without clean session");
        return;
      }
      id = "courier-" + UUID.randomUUID().toString().replace("-", "");
    } else if (id.length() > config.maxClientIdLength()) {
      refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, id,
          "client id longer than " + config.maxClientIdLength());
      return;
    }
    will = readWill(header, payload, id);
    clientId = id;

    // [MQTT-3.1.2-24] keep-alive; a client asking for none or too much gets the configured bound.
    int keepAlive = header.keepAliveTimeSeconds();
    port.keepAlive(keepAlive == 0 || keepAlive > config.maxKeepAliveSeconds()
        ? config.maxKeepAliveSeconds() : keepAlive);

    state = State.CONNECTING;
    gate.pause(ReadGate.Reason.CONNECTING);
    authenticate(header, payload);
  }

  /**
   * Asks the authenticator (if any) about this CONNECT; reading stays paused until it answers, and
   * no answer within {@code authTimeoutSeconds} is a refusal.
   */
  private void authenticate(MqttConnectVariableHeader header, MqttConnectPayload payload) {
    Authenticator authenticator = access.authenticator();
    authorizer = access.authorizer();
    if (authenticator == null && access.authenticatorRequired()) {
      // Fail closed: authentication is configured but its service is not there (yet, or any more).
      access.countRefusedConnect();
      // DEBUG per client: the component logged the service going away once, at WARN.
      LOG.debug("No authenticator is registered but one is required; CONNECT of client {} from {}"
          + " refused", clientId, port.remoteAddress());
      refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, clientId,
          "authenticator required and absent");
      return;
    }
    if (authenticator == null) {
      identity = ClientIdentity.anonymous(clientId);
      claim();
      return;
    }
    String username = header.hasUserName() ? payload.userName() : null;
    byte[] password = header.hasPassword() ? payload.passwordInBytes() : null;
    List<X509Certificate> certificates = port.peerCertificates();
    if (config.tls() != null && config.tls().usernameFromCertificate()
        && !certificates.isEmpty()) {
      username = commonName(certificates.get(0));
    }
    ConnectCredentials credentials = new ConnectCredentials(clientId, username, password,
        certificates, port.remoteAddress());
    CompletableFuture<AuthenticationResult> decision =
        bounded(() -> authenticator.authenticate(credentials));
    if (decision.isDone()) {
      afterAuthentication(decision);
    } else {
      decision.whenComplete((result, error) -> onLoop(() -> afterAuthentication(decision)));
    }
  }

  private void afterAuthentication(CompletableFuture<AuthenticationResult> decision) {
    if (state != State.CONNECTING) {
      return; // closed while the authenticator was deciding; nothing was claimed yet
    }
    Throwable error = decision.isCompletedExceptionally() ? failure(decision) : null;
    AuthenticationResult result = error == null ? decision.getNow(null) : null;
    if (result == null) {
      access.countRefusedConnect();
      LOG.warn("Authentication of client {} from {} failed ({}); refused", clientId,
          port.remoteAddress(), error == null ? "no decision" : error.toString());
      refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, clientId,
          "authenticator failed or timed out");
      return;
    }
    switch (result.outcome()) {
      case ACCEPTED -> {
        identity = new ClientIdentity(clientId, result.username(), result.roles());
        claim();
      }
      case BAD_CREDENTIALS -> {
        access.countRefusedConnect();
        refuse(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, clientId,
            result.reason());
      }
      default -> {
        access.countRefusedConnect();
        refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, clientId,
            result.reason());
      }
    }
  }

  private void claim() {
    CompletionStage<Void> claimed = registry.claim(clientId, this);
    if (claimed.toCompletableFuture().isDone()) {
      afterClaim();
    } else {
      claimed.whenComplete((ignored, error) -> onLoop(this::afterClaim));
    }
  }

  /** The CN of a certificate's subject, or null if it has none. */
  static String commonName(X509Certificate certificate) {
    try {
      LdapName name = new LdapName(certificate.getSubjectX500Principal().getName());
      for (Rdn rdn : name.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdn.getValue());
        }
      }
    } catch (InvalidNameException e) {
      LOG.debug("Unparseable certificate subject: {}", e.getMessage());
    }
    return null;
  }

  /**
   * Calls an access-control service and bounds its answer: an exception, a null stage or no answer
   * within {@code authTimeoutSeconds} fails the returned future (which callers treat as a refusal).
   */
  private <T> CompletableFuture<T> bounded(Supplier<? extends CompletionStage<T>> call) {
    return BoundedCall.of(call, config.authTimeoutSeconds());
  }

  private Publication readWill(MqttConnectVariableHeader header, MqttConnectPayload payload,
      String id) {
    if (!header.isWillFlag()) {
      // [MQTT-3.1.2-13] [MQTT-3.1.2-15] without a will, its QoS and RETAIN must be 0.
      if (header.willQos() != 0 || header.isWillRetain()) {
        throw new ProtocolViolation("MQTT-3.1.2-13", "will QoS or retain set without will flag");
      }
      return null;
    }
    if (header.willQos() > 2) {
      throw new ProtocolViolation("MQTT-3.1.2-14", "will QoS 3");
    }
    String topic = payload.willTopic();
    if (topic == null || !TopicSyntax.isValidTopicName(topic)) {
      throw new ProtocolViolation("MQTT-3.1.3-10", "invalid will topic");
    }
    byte[] body = payload.willMessageInBytes();
    return new Publication(topic, body == null ? new byte[0] : body, header.willQos(),
        header.isWillRetain(), id);
  }

  /**
   * A CONNECT the codec could not accept (unknown protocol level, rejected client id): answer with
   * {@code code} and close, as for every other refused CONNECT [MQTT-3.1.2-2] [MQTT-3.1.3-9].
   */
  public void refuseUndecodableConnect(MqttConnectReturnCode code, String reason) {
    if (state == State.AWAIT_CONNECT) {
      refuse(code, "", reason);
    } else {
      port.close();
    }
  }

  private void refuse(MqttConnectReturnCode code, String id, String reason) {
    LOG.debug("Refusing CONNECT of client '{}' from {}: {} ({})", id, port.remoteAddress(), code,
        reason);
    EVENTS.info("Client '{}' from {} refused: {}", id, port.remoteAddress(), code);
    state = State.CLOSED;
    port.write(MqttPackets.connAck(code, false));
    port.flush();
    port.close();
  }

  private void afterClaim() {
    if (state != State.CONNECTING) {
      registry.release(clientId, this);
      released.complete(null);
      return;
    }
    if (!registry.owns(clientId, this)) {
      // Taken over before the claim completed: hold nothing, and let the next owner proceed.
      released.complete(null);
      port.close();
      return;
    }
    session = registry.open(clientId, cleanSession);
    sessionHeld = true;
    CompletionStage<BridgeSession> opened;
    try {
      opened = bridge.openSession(
          new SessionRequest(clientId, cleanSession, config.maxQueuedMessages()));
    } catch (RuntimeException e) {
      opened = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<BridgeSession> future = opened.toCompletableFuture();
    if (future.isDone()) {
      // getNow would throw for a failed stage: ask for the failure first.
      Throwable error = future.isCompletedExceptionally() ? failure(future) : null;
      afterOpen(error == null ? future.getNow(null) : null, error);
    } else {
      future.whenComplete((opened2, error) -> onLoop(() -> afterOpen(opened2, error)));
    }
  }

  private static Throwable failure(CompletableFuture<?> future) {
    try {
      future.join();
      return null;
    } catch (RuntimeException e) {
      return e.getCause() == null ? e : e.getCause();
    }
  }

  private void afterOpen(BridgeSession opened, Throwable error) {
    if (error != null || opened == null) {
      LOG.warn("Bridge {} could not open the session of client {}: {}", bridge.name(), clientId,
          String.valueOf(error));
      sessionHeld = false;
      if (cleanSession) {
        registry.remove(session);
      }
      registry.release(clientId, this);
      released.complete(null);
      if (state == State.CONNECTING) {
        refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, clientId,
            "bridge unavailable");
      }
      return;
    }
    bridgeSession = opened;
    if (!cleanSession && !opened.present() && session.inflightCount() > 0) {
      // The bridge no longer knows this session: what was in flight belongs to nobody.
      registry.remove(session);
      session = registry.open(clientId, false);
    }
    session.bridgeSession(opened);
    if (opened.present()) {
      // QoS 2 publications the bridge stored before a restart still await PUBREL [MQTT-4.3.3-2].
      opened.awaitingRelease().forEach(session::restoreQos2);
    }
    if (session.inflightCount() == 0) {
      // Nothing of this session is in flight here: whatever the bridge handed out before (to a
      // transport that has since restarted) must be delivered again.
      opened.recover();
    }
    if (state != State.CONNECTING) {
      letGo(); // closed or taken over while the session was being opened
      return;
    }
    boolean present = !cleanSession && opened.present();
    // [MQTT-3.2.2-1] [MQTT-3.2.2-2] session present only for a resumed persistent session;
    // MQTT 3.1 had no such flag.
    port.write(MqttPackets.connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED,
        present && version == MqttVersion.MQTT_3_1_1));
    state = State.CONNECTED;
    EVENTS.info("Client {} connected from {} ({}, {} session{}, will: {})", clientId,
        port.remoteAddress(), version, cleanSession ? "clean" : "persistent",
        present ? " resumed" : "", will != null);
    delivery = new DeliveryFlow(port, config.maxInflightMessages(), session, reserved);
    delivery.resendInflight();
    opened.attach(this);
    port.flush();
    replayEarly();
    if (state == State.CONNECTED) {
      gate.resume(ReadGate.Reason.CONNECTING);
      drainNow();
    }
  }

  private void replayEarly() {
    if (early == null) {
      return;
    }
    try {
      while (!early.isEmpty() && state == State.CONNECTED && !disconnectReceived) {
        MqttMessage message = early.poll();
        try {
          dispatch(message);
        } finally {
          ReferenceCountUtil.release(message);
        }
      }
      port.flush();
    } catch (ProtocolViolation violation) {
      LOG.debug("Closing connection of client {} from {}: {}", clientId, port.remoteAddress(),
          violation.toString());
      port.close();
    } finally {
      releaseEarly();
    }
  }

  private void releaseEarly() {
    if (early != null) {
      early.forEach(ReferenceCountUtil::release);
      early = null;
    }
  }

  // ---------------------------------------------------------------- connected

  private void dispatch(MqttMessage message) {
    switch (message.fixedHeader().messageType()) {
      case PUBLISH -> onPublish((MqttPublishMessage) message);
      case PUBACK -> {
        delivery.onPuback(packetId(message));
        drainNow();
      }
      case PUBREC -> delivery.onPubrec(packetId(message));
      case PUBREL -> {
        // [MQTT-4.3.3-2] forget the packet id and answer PUBCOMP, even if it was unknown.
        session.releaseQos2(packetId(message));
        bridgeSession.release(packetId(message));
        port.write(MqttPackets.ack(MqttMessageType.PUBCOMP, packetId(message)));
      }
      case PUBCOMP -> {
        delivery.onPubcomp(packetId(message));
        drainNow();
      }
      case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) message);
      case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) message);
      case PINGREQ -> port.write(MqttPackets.PINGRESP);
      case DISCONNECT -> {
        // [MQTT-3.14.4-3] a clean DISCONNECT discards the will.
        disconnectReceived = true;
        will = null;
        port.close();
      }
      case CONNECT -> throw new ProtocolViolation("MQTT-3.1.0-2", "second CONNECT");
      default -> throw new ProtocolViolation("MQTT-4.8.0-1",
          "client sent " + message.fixedHeader().messageType());
    }
  }

  private static int packetId(MqttMessage message) {
    Object header = message.variableHeader();
    if (!(header instanceof MqttMessageIdVariableHeader id)) {
      throw new ProtocolViolation("MQTT-2.3.1-1", "missing packet identifier");
    }
    return id.messageId();
  }

  private void onPublish(MqttPublishMessage publish) {
    String topic = publish.variableHeader().topicName();
    // [MQTT-3.3.2-2] no wildcards in a topic name; [MQTT-4.7.3-1] not empty.
    if (!TopicSyntax.isValidTopicName(topic)) {
      throw new ProtocolViolation("MQTT-3.3.2-2", "invalid topic name in PUBLISH");
    }
    int qos = publish.fixedHeader().qosLevel().value();
    int packetId = publish.variableHeader().packetId();
    if (qos > 0 && packetId == 0) {
      throw new ProtocolViolation("MQTT-2.3.1-1", "QoS " + qos + " PUBLISH with packet id 0");
    }
    Publication publication = new Publication(topic, ByteBufUtil.getBytes(publish.payload()), qos,
        publish.fixedHeader().isRetain(), clientId);
    switch (qos) {
      case 0 -> track(authorizedPublish(publication, 0), null, 0, false);
      case 1 -> track(authorizedPublish(publication, packetId), MqttMessageType.PUBACK, packetId,
          false);
      default -> {
        if (!session.receiveQos2(packetId, publish.fixedHeader().isDup())) {
          // [MQTT-4.3.3-2] a resent QoS 2 PUBLISH is acknowledged, not forwarded again; the
          // PUBREC queues behind publications still with the bridge (the original may be one).
          track(CompletableFuture.completedFuture(null), MqttMessageType.PUBREC, packetId, false);
          return;
        }
        track(authorizedPublish(publication, packetId), MqttMessageType.PUBREC, packetId, true);
      }
    }
  }

  /**
   * Publishes if the authorizer allows it. A refused publication is dropped and counted, and its
   * stage completes normally: MQTT 3.1.1 has no way to tell the publisher, so QoS 1/2 are still
   * acknowledged.
   */
  private CompletableFuture<Void> authorizedPublish(Publication publication, int packetId) {
    if (reserved.isReserved(publication.topic())) {
      access.countDeniedPublication();
      LOG.debug("Client {} may not publish to the reserved topic {}; dropped", clientId,
          publication.topic());
      return CompletableFuture.completedFuture(null);
    }
    if (access.authorizerMissing()) {
      // Fail closed, and keep nothing unacknowledged as if it were kept: the stage fails, the
      // connection closes without PUBACK/PUBREC and the client resends later.
      return CompletableFuture.failedFuture(AUTHORIZER_MISSING);
    }
    Authorizer current = authorizer;
    if (current == null) {
      return publish(publication, packetId);
    }
    CompletableFuture<Void> previous = lastRouted;
    Boolean remembered = publishDecisions == null ? null
        : publishDecisions.get(publication.topic());
    if (remembered != null && previous.isDone()) {
      return remembered ? publish(publication, packetId) : denied(publication);
    }
    CompletableFuture<Boolean> allowed =
        bounded(() -> current.mayPublish(identity, publication.topic()));
    if (allowed.isDone() && previous.isDone()) {
      boolean ok = isAllowed(allowed);
      if (!allowed.isCompletedExceptionally()) {
        remember(publication.topic(), ok);
      }
      return ok ? publish(publication, packetId) : denied(publication);
    }
    // [MQTT-4.6.0-6] a publication decided at once must not overtake one still being decided:
    // each goes to the bridge (or is dropped) only after the one before it.
    CompletableFuture<CompletableFuture<Void>> routed = allowed
        .handle((ok, error) -> error == null && Boolean.TRUE.equals(ok))
        .thenCombine(previous, (ok, ignored) -> ok)
        .thenApplyAsync(ok -> ok ? publish(publication, packetId) : denied(publication),
            port.executor());
    lastRouted = routed.handle((ignored, error) -> null);
    return routed.thenCompose(stage -> stage);
  }

  /**
   * Remembers an immediate publish decision for this connection, so that a client publishing to
   * the same topics again does not pay for a rule evaluation per message. Like the authorizer
   * itself (taken at CONNECT), a rule change therefore applies to connections made after it.
   */
  private void remember(String topic, boolean allowed) {
    if (publishDecisions == null) {
      publishDecisions = new HashMap<>();
    } else if (publishDecisions.size() >= MAX_REMEMBERED_DECISIONS) {
      publishDecisions.clear(); // a client cycling through many topics: start over, stay bounded
    }
    publishDecisions.put(topic, allowed);
  }

  private static boolean isAllowed(CompletableFuture<Boolean> decision) {
    return !decision.isCompletedExceptionally() && Boolean.TRUE.equals(decision.getNow(false));
  }

  private CompletableFuture<Void> denied(Publication publication) {
    access.countDeniedPublication();
    LOG.debug("Client {} may not publish to {}; dropped", clientId, publication.topic());
    return CompletableFuture.completedFuture(null);
  }

  private CompletableFuture<Void> publish(Publication publication, int packetId) {
    try {
      // QoS 2: the bridge records the packet id with the message, so that a resend after a
      // restart is still known as a duplicate [MQTT-4.3.3-2]. (A will has no packet id.)
      return (publication.qos() == 2 && packetId != 0
          ? bridgeSession.publishExactlyOnce(publication, packetId)
          : bridgeSession.publish(publication)).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Answers an inbound publication once the bridge has it, keeping acknowledgements in arrival
   * order [MQTT-4.6.0-2], and stops reading from this client while too many are pending.
   */
  private void track(CompletableFuture<Void> stage, MqttMessageType ack, int packetId,
      boolean qos2Forwarded) {
    if ((pending == null || pending.isEmpty()) && stage.isDone()
        && !stage.isCompletedExceptionally()) {
      if (ack != null) {
        port.write(MqttPackets.ack(ack, packetId));
      }
      return;
    }
    if (pending == null) {
      pending = new ArrayDeque<>();
    }
    pending.add(new PendingPublish(stage, ack, packetId, qos2Forwarded));
    if (pending.size() >= config.maxInflightMessages() && gate.pause(ReadGate.Reason.BACKLOG)) {
      LOG.debug("Client {}: {} publications pending in the bridge, reading paused", clientId,
          pending.size());
    }
    stage.whenComplete((ignored, error) -> onLoop(this::completePending));
  }

  private void completePending() {
    if (state == State.CLOSED || pending == null) {
      return;
    }
    boolean wrote = false;
    while (!pending.isEmpty() && pending.peek().stage().isDone()) {
      PendingPublish done = pending.poll();
      if (done.stage().isCompletedExceptionally()) {
        if (done.qos2Forwarded()) {
          // The bridge does not have it: the client's resend must be forwarded, not taken for a
          // duplicate.
          session.releaseQos2(done.packetId());
        }
        Throwable cause = failure(done.stage());
        if (cause == AUTHORIZER_MISSING) {
          LOG.debug("Client {}: publication refused, no authorizer is registered but one is"
              + " required; closing so that the client resends it", clientId);
        } else {
          LOG.warn("Bridge {} did not accept a publication of client {}: {}; closing so that the"
              + " client resends it", bridge.name(), clientId, String.valueOf(cause));
        }
        port.close();
        return;
      }
      if (done.ack() != null) {
        port.write(MqttPackets.ack(done.ack(), done.packetId()));
        wrote = true;
      }
    }
    if (wrote) {
      port.flush();
    }
    if (pending.size() <= config.maxInflightMessages() / 2) {
      gate.resume(ReadGate.Reason.BACKLOG);
    }
  }

  private void onSubscribe(MqttSubscribeMessage subscribe) {
    int packetId = subscribe.variableHeader().messageId();
    List<MqttTopicSubscription> filters = subscribe.payload().topicSubscriptions();
    if (filters.isEmpty()) {
      throw new ProtocolViolation("MQTT-3.8.3-3", "SUBSCRIBE without topic filters");
    }
    int[] codes = new int[filters.size()];
    List<SubscriptionRequest> requests = new ArrayList<>(filters.size());
    List<Integer> positions = new ArrayList<>(filters.size());
    for (int i = 0; i < codes.length; i++) {
      MqttTopicSubscription filter = filters.get(i);
      if (!TopicSyntax.isValidTopicFilter(filter.topicFilter())) {
        LOG.debug("Client {} subscribed to an invalid topic filter; granted 0x80", clientId);
        codes[i] = MqttQoS.FAILURE.value();
      } else if (reserved.confines(filter.topicFilter())) {
        access.countDeniedSubscription();
        LOG.debug("Client {} subscribed to the reserved topic filter {}; granted 0x80", clientId,
            filter.topicFilter());
        codes[i] = MqttQoS.FAILURE.value();
      } else {
        requests.add(new SubscriptionRequest(filter.topicFilter(),
            filter.qualityOfService().value()));
        positions.add(i);
      }
    }
    if (access.authorizerMissing() && !requests.isEmpty()) {
      LOG.debug("No authorizer is registered but one is required; SUBSCRIBE of client {} refused",
          clientId);
      positions.forEach(position -> codes[position] = MqttQoS.FAILURE.value());
      requests.clear();
      positions.clear();
    }
    Authorizer current = authorizer;
    CompletableFuture<Void> previous = lastSubscriptionChange;
    if ((current == null || requests.isEmpty()) && previous.isDone()) {
      subscribeAllowed(packetId, codes, requests, positions);
      return;
    }
    List<CompletableFuture<Boolean>> decisions = new ArrayList<>(requests.size());
    if (current != null) {
      for (SubscriptionRequest request : requests) {
        decisions.add(bounded(() -> current.maySubscribe(identity, request.filter())));
      }
    }
    Runnable decide = () -> {
      if (state == State.CLOSED) {
        return;
      }
      List<SubscriptionRequest> allowed = new ArrayList<>(requests.size());
      List<Integer> allowedPositions = new ArrayList<>(requests.size());
      for (int i = 0; i < requests.size(); i++) {
        if (current == null || isAllowed(decisions.get(i))) {
          allowed.add(requests.get(i));
          allowedPositions.add(positions.get(i));
        } else {
          access.countDeniedSubscription();
          LOG.debug("Client {} may not subscribe to {}; granted 0x80", clientId,
              requests.get(i).filter());
          codes[positions.get(i)] = MqttQoS.FAILURE.value();
        }
      }
      subscribeAllowed(packetId, codes, allowed, allowedPositions);
    };
    List<CompletableFuture<?>> waits = new ArrayList<>(decisions);
    waits.add(previous);
    CompletableFuture<Void> all = CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    if (all.isDone()) {
      decide.run();
    } else {
      // [MQTT-3.8.4-3] subscription changes apply in the order sent, even when a later one is
      // decided first: a SUBSCRIBE answered late must not undo a following UNSUBSCRIBE.
      lastSubscriptionChange = afterPrevious(all, decide);
    }
  }

  /**
   * Runs {@code change} on the loop once {@code ready} completed; the returned future completes
   * after it ran (or failed) and never fails.
   */
  private CompletableFuture<Void> afterPrevious(CompletableFuture<?> ready, Runnable change) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ready.whenComplete((ignored, error) -> onLoop(() -> {
      try {
        change.run();
      } finally {
        done.complete(null);
      }
    }));
    return done;
  }

  private void subscribeAllowed(int packetId, int[] codes, List<SubscriptionRequest> requests,
      List<Integer> positions) {
    CompletionStage<List<Integer>> granted = requests.isEmpty()
        ? CompletableFuture.completedFuture(List.of())
        : bridgeSession.subscribe(requests);
    granted.whenComplete((result, error) -> onLoop(() -> {
      if (state == State.CLOSED) {
        return;
      }
      for (int i = 0; i < positions.size(); i++) {
        codes[positions.get(i)] = error != null || result == null || i >= result.size()
            ? MqttQoS.FAILURE.value() : result.get(i);
      }
      if (error != null) {
        LOG.warn("Bridge {} failed a SUBSCRIBE of client {}: {}", bridge.name(), clientId,
            String.valueOf(error));
      }
      // [MQTT-3.8.4-1] SUBACK with [MQTT-3.8.4-4] the same packet id, [MQTT-3.9.3-1] a code each.
      port.write(MqttPackets.subAck(packetId, codes));
      port.flush();
    }));
  }

  private void onUnsubscribe(MqttUnsubscribeMessage unsubscribe) {
    int packetId = unsubscribe.variableHeader().messageId();
    List<String> filters = unsubscribe.payload().topics();
    if (filters.isEmpty()) {
      throw new ProtocolViolation("MQTT-3.10.3-2", "UNSUBSCRIBE without topic filters");
    }
    CompletableFuture<Void> previous = lastSubscriptionChange;
    if (previous.isDone()) {
      unsubscribeNow(packetId, filters);
    } else {
      lastSubscriptionChange = afterPrevious(previous, () -> {
        if (state != State.CLOSED) {
          unsubscribeNow(packetId, filters);
        }
      });
    }
  }

  private void unsubscribeNow(int packetId, List<String> filters) {
    bridgeSession.unsubscribe(filters).whenComplete((ignored, error) -> onLoop(() -> {
      if (state != State.CLOSED) {
        // [MQTT-3.10.4-4] [MQTT-3.10.4-5] UNSUBACK even if nothing matched.
        port.write(MqttPackets.unsubAck(packetId));
        port.flush();
      }
    }));
  }

  // ---------------------------------------------------------------- delivery

  @Override
  public void messagesAvailable() {
    if (drainScheduled.compareAndSet(false, true)) {
      port.executor().execute(drainTask);
    }
  }

  private void drainNow() {
    drainScheduled.set(false);
    if (state != State.CONNECTED || delivery == null) {
      return;
    }
    if (delivery.drain()) {
      messagesAvailable(); // batch limit reached: continue after other connections had a turn
    }
  }

  /** The channel became writable again: read from the client again, and send. */
  public void writable() {
    gate.resume(ReadGate.Reason.OUTBOUND);
    drainNow();
  }

  /**
   * The outbound buffer passed its high-water mark: the client does not read what is sent to it.
   * Stop reading from it too, so that what it sends cannot grow the acknowledgements waiting for it
   * without bound.
   */
  public void unwritable() {
    if (state != State.CLOSED && gate.pause(ReadGate.Reason.OUTBOUND)) {
      LOG.trace("Client {}: outbound buffer full, reading paused", clientId);
    }
  }

  /** The read batch ended: send what was answered. */
  public void readComplete() {
    if (state != State.CLOSED) {
      port.flush();
    }
  }

  // ---------------------------------------------------------------- closing

  @Override
  public CompletionStage<Void> takeOver() {
    onLoop(() -> {
      if (state != State.CLOSED) {
        takenOver = true;
        EVENTS.info("Client {} from {} taken over by a new connection", clientId,
            port.remoteAddress());
        port.close();
      }
    });
    return released;
  }

  /** The connection closed, for whatever reason. Publishes the will unless DISCONNECT was sent. */
  public void closed() {
    State was = state;
    state = State.CLOSED;
    releaseEarly();
    if (was == State.CLOSED) {
      return;
    }
    if (was == State.CONNECTED) {
      if (will != null && !disconnectReceived) {
        // [MQTT-3.1.2-8] the will is published when the connection closes without DISCONNECT.
        LOG.debug("Publishing the will of client {} on {}", clientId, will.topic());
        authorizedPublish(will, 0).exceptionally(error -> {
          LOG.warn("Will of client {} could not be published: {}", clientId, error.toString());
          return null;
        });
      }
      EVENTS.info("Client {} disconnected{}", clientId,
          disconnectReceived ? "" : takenOver ? " (taken over)" : " (connection lost)");
      // Publications still with the authorizer, and the will behind them, go to the session
      // before it ends; a successor's takeover waits for that (at most authTimeoutSeconds).
      CompletableFuture<Void> routed = lastRouted;
      if (routed.isDone()) {
        letGo();
      } else {
        routed.whenComplete((ignored, error) -> onLoop(this::letGo));
      }
    }
    // CONNECTING: afterClaim/afterOpen see CLOSED and let go; AWAIT_CONNECT holds nothing.
    if (was == State.AWAIT_CONNECT) {
      released.complete(null);
    }
  }

  private void letGo() {
    if (sessionHeld && bridgeSession != null) {
      if (cleanSession) {
        // [MQTT-3.1.2-6] a clean session ends with its connection.
        bridgeSession.close();
        registry.remove(session);
      } else {
        bridgeSession.detach();
      }
    }
    sessionHeld = false;
    registry.release(clientId, this);
    released.complete(null);
  }

  private void onLoop(Runnable task) {
    port.executor().execute(task);
  }

  /** See {@link #AUTHORIZER_MISSING}. */
  private static final class AuthorizerMissing extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AuthorizerMissing() {
      super("an authorizer is required and none is registered", null, false, false);
    }
  }

  private record PendingPublish(CompletableFuture<Void> stage, MqttMessageType ack,
      int packetId, boolean qos2Forwarded) {}
}

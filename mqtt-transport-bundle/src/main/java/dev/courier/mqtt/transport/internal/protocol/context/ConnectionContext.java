package dev.courier.mqtt.transport.internal.protocol.context;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.dialect.Dialect;
import dev.courier.mqtt.transport.internal.protocol.dialect.PacketWriter;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.internal.session.ClientSession;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * What the exchanges of one connection share: the port and the engine's parts, who the client is
 * (set once by the CONNECT exchange), what was negotiated, its sessions, and whether the connection
 * is closed. Flows take this, never the connection itself. Used on the connection's thread only.
 */
public final class ConnectionContext extends ReadGate {

  /** {@link #released}: made when first asked for, from any thread, through this handle. */
  private static final VarHandle RELEASED;

  static {
    try {
      RELEASED = MethodHandles.lookup()
          .findVarHandle(ConnectionContext.class, "released", CompletableFuture.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ConnectionPort port;
  private final EngineParts parts;
  private volatile CompletableFuture<Void> released;

  private String clientId;
  private Dialect dialect = Dialect.MQTT_3_1_1;
  private Negotiated negotiated = Negotiated.DEFAULT;
  /** The Will Delay Interval, an unsigned four byte integer (section 3.1.3.2.2). */
  private int willDelaySeconds;
  /** Whether {@link #protocol} was told the version (the dialect is a default until then). */
  private boolean versionKnown;
  private boolean cleanStart;
  private boolean clientIdAssigned;
  private String authMethod;
  private ClientIdentity identity;
  private Authorizer authorizer;
  private ClientSession session;
  private BridgeSession bridgeSession;
  private boolean sessionHeld;
  private boolean closed;
  private boolean acknowledged;
  /** Why the server ended the connection ({@link #disconnect}), or null. */
  private ReasonCode serverDisconnect;
  /** When CONNACK accepted the client ({@link #nanoTime()}). */
  private long acknowledgedAt;

  public ConnectionContext(ConnectionPort port, EngineParts parts) {
    this.port = port;
    this.parts = parts;
  }

  @Override
  public ConnectionPort port() {
    return port;
  }

  @Override
  TransportStatistics statistics() {
    return parts.statistics();
  }

  public EngineParts parts() {
    return parts;
  }

  public TransportConfig config() {
    return parts.config();
  }

  /** Whether the connection reads from its client: this context itself. */
  public ReadGate gate() {
    return this;
  }

  /**
   * Completes once this connection holds no session and no client id claim any more. Asked for by
   * a connection taking over too, on its own thread: made on first use, the same for every caller.
   */
  public CompletableFuture<Void> released() {
    CompletableFuture<Void> future = released;
    if (future == null) {
      CompletableFuture<Void> made = new CompletableFuture<>();
      future = RELEASED.compareAndSet(this, null, made) ? made : released;
    }
    return future;
  }

  /** The client id once CONNECT was read, else null. */
  public String clientId() {
    return clientId;
  }

  /** The protocol version of the CONNECT, else null. */
  public MqttVersion version() {
    return versionKnown ? dialect.version() : null;
  }

  /**
   * How to talk to the client: the protocol version of its CONNECT, set before anything is
   * decided about it, so that a refusal is a CONNACK of that version.
   */
  public void protocol(MqttVersion protocol) {
    this.versionKnown = true;
    this.dialect = Dialect.of(protocol);
  }

  /**
   * Who the client is, from its accepted CONNECT.
   *
   * @param assigned whether the server assigned {@code id} (told in CONNACK on 5.0)
   */
  public void connecting(String id, boolean assigned, boolean clean) {
    this.clientId = id;
    this.clientIdAssigned = assigned;
    this.cleanStart = clean;
  }

  public Dialect dialect() {
    return dialect;
  }

  public boolean clientIdAssigned() {
    return clientIdAssigned;
  }

  public PacketWriter writer() {
    return dialect.writer();
  }

  public Negotiated negotiated() {
    return negotiated;
  }

  public void negotiated(Negotiated value) {
    this.negotiated = value;
  }

  public boolean cleanStart() {
    return cleanStart;
  }

  /** The will's Will Delay Interval (MQTT 5.0; 0 on 3.x and without the property). */
  public long willDelaySeconds() {
    return Integer.toUnsignedLong(willDelaySeconds);
  }

  /** @param seconds at most 2^32 - 1, as the property carries */
  public void willDelaySeconds(long seconds) {
    this.willDelaySeconds = (int) seconds;
  }

  /** The Authentication Method of the CONNECT (MQTT 5.0 enhanced authentication), or null. */
  public String authMethod() {
    return authMethod;
  }

  public void authMethod(String method) {
    this.authMethod = method;
  }

  public ClientIdentity identity() {
    return identity;
  }

  /**
   * Who the authenticator said the client is, and the authorizer in force for it (or null); set
   * again when the client re-authenticates (MQTT 5.0 section 4.12.1).
   */
  public void authenticated(ClientIdentity who, Authorizer rules) {
    this.identity = who;
    this.authorizer = rules;
  }

  public Authorizer authorizer() {
    return authorizer;
  }

  public ClientSession session() {
    return session;
  }

  public BridgeSession bridgeSession() {
    return bridgeSession;
  }

  /** The sessions this connection now holds (or null, null: none). */
  public void sessions(ClientSession client, BridgeSession bridged) {
    this.session = client;
    this.bridgeSession = bridged;
  }

  /** Whether the bridge session is held open by this connection and must be let go at the end. */
  public boolean sessionHeld() {
    return sessionHeld;
  }

  public void sessionHeld(boolean held) {
    this.sessionHeld = held;
  }

  public boolean closed() {
    return closed;
  }

  public void markClosed() {
    this.closed = true;
  }

  /** CONNACK accepted the client: from now on a server DISCONNECT may be sent [MQTT-3.14.0-1]. */
  public void markAcknowledged() {
    this.acknowledged = true;
    this.acknowledgedAt = port.nanoTime();
  }

  /** The reason the server gave when it ended the connection, or null if it did not. */
  public ReasonCode serverDisconnect() {
    return serverDisconnect;
  }

  /** Milliseconds since CONNACK accepted the client. */
  public long connectedMillis() {
    return java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(port.nanoTime() - acknowledgedAt);
  }

  /** The connection events log. */
  public ConnectionEvents events() {
    return parts.events();
  }

  /** Whether CONNACK accepted the client. */
  public boolean acknowledged() {
    return acknowledged;
  }

  /** Writes {@code message} and flushes. */
  public void send(MqttMessage message) {
    port.write(message);
    port.flush();
  }

  /**
   * Ends the connection from the server side: DISCONNECT with {@code code} on 5.0 [MQTT-4.13.1-1],
   * or a CONNACK with it while the CONNECT is not answered yet [MQTT-3.14.0-1]; just closing on
   * 3.x. {@link ReasonStrings} decides what the packet tells of {@code reason}: the CONNACK only
   * the code's fixed text.
   */
  public void disconnect(ReasonCode code, String reason) {
    if (serverDisconnect == null) {
      serverDisconnect = code;
    }
    PacketWriter writer = dialect.writer();
    if (!closed && writer.hasProperties()) {
      send(acknowledged ? writer.disconnect(code, ReasonStrings.disconnect(negotiated, reason))
          : writer.connAckRefused(code, ReasonStrings.connAck(negotiated, code)));
      port.closeAfterLastPacket();
      return;
    }
    port.close();
  }

  /** Runs {@code task} on this connection's thread, later. */
  public void onLoop(Runnable task) {
    port.executor().execute(task);
  }

  /** Runs {@code task} on this connection's thread after {@code delayNanos}. */
  public void schedule(Runnable task, long delayNanos) {
    port.schedule(task, delayNanos);
  }

  /** The connection's clock, in nanoseconds as {@link System#nanoTime()}. */
  public long nanoTime() {
    return port.nanoTime();
  }

  /**
   * Calls a plug-in and bounds its answer: an exception, a null stage or no answer within {@code
   * authTimeoutSeconds} fails the returned future.
   */
  public <T> CompletableFuture<T> bounded(Supplier<? extends CompletionStage<T>> call) {
    return BoundedCall.of(call, parts.config().authTimeoutSeconds());
  }

  /** The cause of a failed future (unwrapped), or null if it did not fail. */
  public static Throwable failure(CompletableFuture<?> future) {
    try {
      future.join();
      return null;
    } catch (RuntimeException e) {
      return e.getCause() == null ? e : e.getCause();
    }
  }
}

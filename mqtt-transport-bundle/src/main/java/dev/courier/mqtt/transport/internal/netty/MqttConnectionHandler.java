package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.protocol.MqttEngine;
import dev.courier.mqtt.transport.internal.protocol.MqttConnection;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionPort;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client pipeline: checks each decoded packet's decoder result, feeds the
 * protocol engine, and turns channel events (writability, close) into engine calls. The one
 * place that logs protocol violations and closes for them. Releases every packet it receives.
 *
 * <p>It is also the engine's {@link ConnectionPort}, writing through its own context and encoding
 * on the way out ({@link PublishEncoder}), so that a connection costs no port object, no encoder
 * context and no pipeline hop per packet.
 *
 * <p>And the connection's timers: the connect timeout, then the keep alive [MQTT-3.1.2-24], one
 * deadline at a time in its event loop's queue of {@link ConnectionDeadlines} (no scheduled task
 * per connection). The keep-alive deadline is when the silence would reach 1.5 times the keep
 * alive, against the time of the last read (taken once per read batch); when it comes, a read since
 * moves it on rather than a re-queue per read.
 */
final class MqttConnectionHandler extends ChannelInboundHandlerAdapter
    implements ConnectionPort, ConnectionDeadlines.Waiting {

  private static final Logger LOG = LoggerFactory.getLogger(MqttConnectionHandler.class);

  /** The listener's deadlines, and their clock (reads, keep alive). */
  private final ConnectionDeadlines deadlines;
  private final MqttConnection connection;
  /** This handler's context, from {@link #handlerAdded}. */
  private ChannelHandlerContext ctx;
  /**
   * Silence after which the keep alive expires (1.5 times it), in milliseconds (an int: at most
   * 1.5 times 65,535 s); 0: no timer.
   */
  private int keepAliveMillis;
  /** When the client was last read from, by the clock; only kept while a keep alive runs. */
  private long lastRead;
  /** The connection's one deadline, the connect timeout or the keep alive, while {@link #slot} >= 0. */
  private long deadline;
  /** Where the deadline sits in its loop's queue; -1: none waits. */
  private int slot = -1;
  /** Packets from the codec, compared with the frames the validator passed on (mod 2^32). */
  private int decoded;
  /** Whether the deadline is the connect timeout (else the keep alive). */
  private boolean connectTimer;
  /** A lingering close began: the engine gets nothing more from this channel. */
  private boolean closing;
  /** The engine's {@code closed()} was called; it is called once. */
  private boolean engineClosed;

  /**
   * The engine's connection is made here, not when added: it only keeps this port until then, and
   * the handler keeps no engine field for it.
   */
  MqttConnectionHandler(MqttEngine engine, ConnectionDeadlines deadlines) {
    this.deadlines = deadlines;
    this.connection = engine.newConnection(this);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    ctx = context;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    connectTimer = true;
    arm(deadlines.now() + deadlines.connectTimeoutNanos());
    ctx.fireChannelActive();
  }

  private void connectTimedOut() {
    if (connection.clientId() == null && ctx.channel().isActive()) {
      LOG.debug("No CONNECT from {} within {} s; closing", ctx.channel().remoteAddress(),
          TimeUnit.NANOSECONDS.toSeconds(deadlines.connectTimeoutNanos()));
      ctx.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing || !(msg instanceof MqttMessage message)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    decoded++;
    try {
      DecoderResult result = message.decoderResult();
      if (result != null && result.isFailure()) {
        decodeFailed(ctx, result.cause());
        return;
      }
      connection.handle(message);
      if (connectTimer && connection.clientId() != null) {
        // CONNECT arrived (and set no keep alive): the timer would do nothing; drop it now rather
        // than hold it (and this handler through it) for connectTimeoutSeconds per connection.
        cancelTimer();
      }
    } catch (ProtocolViolation violation) {
      connection.fail(violation);
    } finally {
      ReferenceCountUtil.release(message);
    }
  }

  /** Whether the connect timer still runs: until CONNECT is handled (tests). */
  boolean connectTimerPending() {
    return connectTimer && slot >= 0;
  }

  private void decodeFailed(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("Malformed packet from client {} at {}: {}; closing", clientName(),
        ctx.channel().remoteAddress(), cause.toString());
    ReasonCode code = null;
    if (connection.clientId() == null) {
      if (cause instanceof MqttUnacceptableProtocolVersionException) {
        code = ReasonCode.UNSUPPORTED_PROTOCOL_VERSION;
      } else if (cause instanceof MqttIdentifierRejectedException) {
        code = ReasonCode.CLIENT_IDENTIFIER_NOT_VALID;
      }
    }
    if (code != null) {
      connection.refuseUndecodableConnect(code, cause.getMessage());
    } else if (connection.clientId() != null) {
      // After CONNECT: on 5.0 DISCONNECT (or CONNACK) with the reason [MQTT-4.13.1-1], closed on 3.x.
      connection.fail(cause instanceof PropertySection.RepeatedProperty
          ? new ProtocolViolation("MQTT-5.0-2.2.2.2", cause.getMessage())
          : new ProtocolViolation(ReasonCode.MALFORMED_PACKET, "MQTT-4.13.1-1",
              String.valueOf(cause.getMessage())));
    } else {
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (keepAliveMillis != 0) {
      // Any bytes count, a part of a packet too, as for a timer on the socket's reads.
      lastRead = deadlines.now();
    }
    if (closing) {
      ctx.fireChannelReadComplete();
      return;
    }
    MqttFrameValidator frames = ctx.pipeline().get(MqttFrameValidator.class);
    if (frames != null && frames.frames() != decoded && ctx.channel().isActive()) {
      // A whole frame that the codec could not finish is malformed (e.g. a CONNECT whose strings
      // overrun the packet): the codec would wait for bytes that belong to the next packet.
      LOG.debug("Malformed packet from client {} at {}: incomplete packet body; closing",
          clientName(), ctx.channel().remoteAddress());
      ctx.close();
      return;
    }
    connection.readComplete();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (closing) {
      ctx.fireChannelWritabilityChanged();
      return;
    }
    if (ctx.channel().isWritable()) {
      connection.writable();
    } else {
      connection.unwritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  /**
   * (Re)starts the keep-alive timer: the engine hears {@code keepAliveExpired()} once nothing was
   * read for 1.5 times {@code seconds} [MQTT-3.1.2-24]; 0 stops it. Called on the event loop, once
   * CONNECT was read (so the connect timer, if it still runs, is done with too).
   */
  @Override
  public void keepAlive(int seconds) {
    cancelTimer();
    keepAliveMillis = Math.min(seconds, 65_535) * 1_500; // the CONNECT's field has two bytes
    if (keepAliveMillis != 0 && !closing) {
      lastRead = deadlines.now();
      arm(lastRead + keepAliveNanos());
    }
  }

  /** The connection's clock (also the engine's), as {@link System#nanoTime()}. */
  @Override
  public long nanoTime() {
    return deadlines.now();
  }

  /** Whether a keep-alive check is queued (tests). */
  boolean keepAlivePending() {
    return !connectTimer && slot >= 0;
  }

  private long keepAliveNanos() {
    return keepAliveMillis * 1_000_000L;
  }

  private void arm(long at) {
    deadline = at;
    deadlines.on(ctx.executor()).add(this);
  }

  @Override
  public long deadline() {
    return deadline;
  }

  @Override
  public int slot() {
    return slot;
  }

  @Override
  public void slot(int index) {
    slot = index;
  }

  /** The connect timeout or a keep-alive check, on the event loop, off the queue already. */
  @Override
  public void deadlineReached(long now) {
    if (connectTimer) {
      connectTimer = false;
      connectTimedOut();
      return;
    }
    if (closing || keepAliveMillis == 0 || !ctx.channel().isActive()) {
      return;
    }
    long keepAliveNanos = keepAliveNanos();
    if (now - lastRead < keepAliveNanos) {
      arm(lastRead + keepAliveNanos); // read since: due that much later
      return;
    }
    connection.keepAliveExpired();
    if (!closing && ctx.channel().isActive()) {
      // Not closed (a throttled client is not): look again a whole period later.
      arm(now + keepAliveNanos);
    }
  }

  private void cancelTimer() {
    if (slot >= 0) {
      deadlines.on(ctx.executor()).remove(this); // a closed connection is not held
    }
    connectTimer = false;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimer();
    engineClosed();
    ctx.fireChannelInactive();
  }

  /**
   * The engine sent its last packet and the socket lingers for the client to read it: nothing read
   * from now on reaches the engine, and the engine hears of the close at once, not after the linger
   * (a client taking over the session must not wait for it). Called on the event loop, from within
   * the engine: {@code closed()} runs in a task of its own, as it would after a plain close.
   */
  private void closing() {
    closing = true;
    cancelTimer();
    ctx.executor().execute(this::engineClosed);
  }

  private void engineClosed() {
    if (!engineClosed) {
      engineClosed = true;
      connection.closed();
    }
  }

  // ---------------------------------------------------------------- ConnectionPort

  /** Encodes {@code message} here, as the pipeline's encoder would, and writes the bytes. */
  @Override
  public void write(MqttMessage message) {
    try {
      PublishEncoder.INSTANCE.write(ctx, message, ctx.voidPromise());
    } catch (Exception e) {
      // as the pipeline does with a failed write: the void promise fires exceptionCaught
      ctx.voidPromise().tryFailure(e);
    }
  }

  @Override
  public void flush() {
    ctx.flush();
  }

  @Override
  public boolean isWritable() {
    return ctx.channel().isWritable();
  }

  @Override
  public void pauseReading() {
    ctx.channel().config().setAutoRead(false);
  }

  @Override
  public void resumeReading() {
    ctx.channel().config().setAutoRead(true);
  }

  @Override
  public void close() {
    ctx.close();
  }

  /** A socket lingers (see {@link LingeringCloseHandler}); other channels close at once. */
  @Override
  public void closeAfterLastPacket() {
    if (!(ctx.channel() instanceof DuplexChannel) || !ctx.channel().isActive()) {
      ctx.close();
      return;
    }
    closing(); // from now on the engine is told it is closed and is given nothing
    LingeringCloseHandler.begin(ctx);
  }

  /** A socket waits for the client's close (see {@link LingeringCloseHandler}); others close. */
  @Override
  public void closeAfterClient() {
    if (!(ctx.channel() instanceof DuplexChannel) || !ctx.channel().isActive()) {
      ctx.close();
      return;
    }
    closing();
    LingeringCloseHandler.awaitClientClose(ctx);
  }

  @Override
  public Executor executor() {
    return ctx.executor();
  }

  @Override
  public void handOff(Runnable task) {
    deadlines.handOff().execute(ctx.executor(), task);
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    ctx.executor().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  /** Made when a log line asks, not kept: the channel keeps the address, after a close too. */
  @Override
  public String remoteAddress() {
    Channel channel = ctx.channel();
    if (channel.hasAttr(WebSocketFrames.CLIENT_ADDRESS)) { // forwarded by a trusted proxy
      return channel.attr(WebSocketFrames.CLIENT_ADDRESS).get();
    }
    return String.valueOf(channel.remoteAddress());
  }

  @Override
  public List<X509Certificate> peerCertificates() {
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    if (tls == null) {
      return List.of();
    }
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate certificate : tls.engine().getSession().getPeerCertificates()) {
        if (certificate instanceof X509Certificate x509) {
          chain.add(x509);
        }
      }
      return chain;
    } catch (SSLPeerUnverifiedException noCertificate) {
      return List.of();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException || cause.getCause() instanceof SSLException) {
      // the network, or a TLS handshake the client failed (no or an untrusted certificate, a
      // protocol it does not speak): the client's doing, not ours
      LOG.debug("I/O error on connection of client {} from {}: {}", clientName(),
          ctx.channel().remoteAddress(), cause.toString());
    } else {
      // Not the client's doing (violations and decode errors are handled where they are found):
      // a fault of ours, worth a WARN with its stack.
      LOG.warn("Closing connection of client {} from {} after an unexpected error", clientName(),
          ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }

  private String clientName() {
    String id = connection == null ? null : connection.clientId();
    return id == null ? "(before CONNECT)" : id;
  }
}

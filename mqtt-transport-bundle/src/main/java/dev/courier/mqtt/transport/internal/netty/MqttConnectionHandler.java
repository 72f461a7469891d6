package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.protocol.MqttEngine;
import dev.courier.mqtt.transport.internal.protocol.MqttConnection;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionPort;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
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
 * <p>And the connection's keep-alive timer [MQTT-3.1.2-24]: one scheduled check that re-arms
 * itself for when the silence would reach 1.5 times the keep alive, against the time of the last
 * read (taken once per read batch), rather than a handler of its own in every pipeline. The
 * handler is that check's {@link Runnable} itself, so that the timer costs no task object of ours.
 */
final class MqttConnectionHandler extends ChannelInboundHandlerAdapter
    implements ConnectionPort, Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(MqttConnectionHandler.class);

  private final MqttEngine engine;
  /** Nanoseconds as {@link System#nanoTime()}; a test's own clock in tests. */
  private final LongSupplier clock;
  /** This handler's context, from {@link #handlerAdded}. */
  private ChannelHandlerContext ctx;
  private MqttConnection connection;
  /**
   * The one timer of the connection: the connect timer until CONNECT is read ({@link
   * #connectTimer}), then the next keep-alive check; null when none runs.
   */
  private ScheduledFuture<?> timer;
  /** Silence after which the keep alive expires (1.5 times it), in nanoseconds; 0: no timer. */
  private long keepAliveNanos;
  /** When the client was last read from, by {@link #clock}; only kept while a keep alive runs. */
  private long lastRead;
  /** Packets from the codec, compared with the frames the validator passed on (mod 2^32). */
  private int decoded;
  /** Whether {@link #timer} is the connect timer. */
  private boolean connectTimer;
  /** A lingering close began: the engine gets nothing more from this channel. */
  private boolean closing;
  /** The engine's {@code closed()} was called; it is called once. */
  private boolean engineClosed;

  /** @param clock the time of reads and keep-alive checks, as {@link System#nanoTime()} */
  MqttConnectionHandler(MqttEngine engine, LongSupplier clock) {
    this.engine = engine;
    this.clock = clock;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    ctx = context;
    connection = engine.newConnection(this);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    timer = ctx.executor().schedule(this::connectTimedOut,
        engine.config().connectTimeoutSeconds(), TimeUnit.SECONDS);
    connectTimer = true;
    ctx.fireChannelActive();
  }

  private void connectTimedOut() {
    timer = null;
    connectTimer = false;
    if (connection.clientId() == null && ctx.channel().isActive()) {
      LOG.debug("No CONNECT from {} within {} s; closing", ctx.channel().remoteAddress(),
          engine.config().connectTimeoutSeconds());
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
    return connectTimer && timer != null && !timer.isDone();
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
    if (keepAliveNanos != 0) {
      // Any bytes count, a part of a packet too, as for a timer on the socket's reads.
      lastRead = clock.getAsLong();
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
    keepAliveNanos = seconds * 1_500_000_000L;
    if (keepAliveNanos != 0 && !closing) {
      lastRead = clock.getAsLong();
      armKeepAlive(keepAliveNanos);
    }
  }

  /** The connection's clock (also the engine's), as {@link System#nanoTime()}. */
  @Override
  public long nanoTime() {
    return clock.getAsLong();
  }

  /** Whether a keep-alive check is scheduled (tests). */
  boolean keepAlivePending() {
    return !connectTimer && timer != null && !timer.isDone();
  }

  private void armKeepAlive(long delayNanos) {
    timer = ctx.executor().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
    connectTimer = false;
  }

  /** The keep-alive check, on the event loop: {@link #armKeepAlive} schedules this handler. */
  @Override
  public void run() {
    timer = null;
    if (closing || keepAliveNanos == 0 || !ctx.channel().isActive()) {
      return;
    }
    long silent = clock.getAsLong() - lastRead;
    if (silent < keepAliveNanos) {
      armKeepAlive(keepAliveNanos - silent); // read since: due that much later
      return;
    }
    connection.keepAliveExpired();
    if (!closing && ctx.channel().isActive()) {
      // Not closed (a throttled client is not): look again a whole period later.
      armKeepAlive(keepAliveNanos);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false); // off the loop's queue: a closed connection is not held
      timer = null;
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
  public void schedule(Runnable task, long delayNanos) {
    ctx.executor().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  /** Made when a log line asks, not kept: the channel keeps the address, after a close too. */
  @Override
  public String remoteAddress() {
    return String.valueOf(ctx.channel().remoteAddress());
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

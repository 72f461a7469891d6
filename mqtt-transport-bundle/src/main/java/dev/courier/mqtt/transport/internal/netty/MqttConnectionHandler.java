package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.MqttEngine;
import dev.courier.mqtt.transport.internal.protocol.MqttConnection;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import javax.net.ssl.SSLException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client pipeline: checks each decoded packet's decoder result, feeds the
 * protocol engine, and turns channel events (writability, close) into engine calls. The one
 * place that logs protocol violations and closes for them. Releases every packet it receives.
 *
 * <p>Also the connection's keep-alive timer [MQTT-3.1.2-24]: one scheduled check that re-arms
 * itself for when the silence would reach 1.5 times the keep alive, against the time of the last
 * read (taken once per read batch), rather than a handler of its own in every pipeline.
 */
final class MqttConnectionHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(MqttConnectionHandler.class);

  private final MqttEngine engine;
  /** How tasks for this connection are handed over from other loops. */
  private final LoopHandOff handOff;
  /** Nanoseconds as {@link System#nanoTime()}; a test's own clock in tests. */
  private final LongSupplier clock;
  private MqttConnection connection;
  private ScheduledFuture<?> connectTimeout;
  /** Silence after which the keep alive expires (1.5 times it), in nanoseconds; 0: no timer. */
  private long keepAliveNanos;
  /** When the client was last read from, by {@link #clock}; only kept while a keep alive runs. */
  private long lastRead;
  /** The next keep-alive check, or null. */
  private ScheduledFuture<?> keepAliveCheck;
  /** Packets received from the codec; compared with the frames the validator passed on. */
  private long decoded;
  /** A lingering close began: the engine gets nothing more from this channel. */
  private boolean closing;
  /** The engine's {@code closed()} was called; it is called once. */
  private boolean engineClosed;

  /**
   * @param clock the time of reads and keep-alive checks, as {@link System#nanoTime()}
   * @param handOff the transport's hand-over of tasks between its event loops
   */
  MqttConnectionHandler(MqttEngine engine, LongSupplier clock, LoopHandOff handOff) {
    this.engine = engine;
    this.clock = clock;
    this.handOff = handOff;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    connection = engine.newConnection(new NettyConnectionPort(ctx, this));
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    TransportConfig config = engine.config();
    connectTimeout = ctx.executor().schedule(() -> {
      if (connection.clientId() == null && ctx.channel().isActive()) {
        LOG.debug("No CONNECT from {} within {} s; closing", ctx.channel().remoteAddress(),
            config.connectTimeoutSeconds());
        ctx.close();
      }
    }, config.connectTimeoutSeconds(), TimeUnit.SECONDS);
    ctx.fireChannelActive();
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
      if (connectTimeout != null && connection.clientId() != null) {
        // CONNECT arrived: the timer would do nothing; drop it now rather than hold it (and this
        // handler through it) for connectTimeoutSeconds per connection.
        connectTimeout.cancel(false);
        connectTimeout = null;
      }
    } catch (ProtocolViolation violation) {
      connection.fail(violation);
    } finally {
      ReferenceCountUtil.release(message);
    }
  }

  /** Whether the connect timer still runs: until CONNECT is handled (tests). */
  boolean connectTimerPending() {
    return connectTimeout != null && !connectTimeout.isDone();
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
   * read for 1.5 times {@code seconds} [MQTT-3.1.2-24]; 0 stops it. Called on the event loop.
   */
  void keepAlive(ChannelHandlerContext ctx, int seconds) {
    stopKeepAlive();
    keepAliveNanos = seconds * 1_500_000_000L;
    if (keepAliveNanos != 0 && !closing) {
      lastRead = clock.getAsLong();
      armKeepAlive(ctx, keepAliveNanos);
    }
  }

  /** The transport's hand-over of tasks between its event loops. */
  LoopHandOff handOff() {
    return handOff;
  }

  /** The connection's clock (also the engine's, through the port), as {@link System#nanoTime()}. */
  long nanoTime() {
    return clock.getAsLong();
  }

  /** Whether a keep-alive check is scheduled (tests). */
  boolean keepAlivePending() {
    return keepAliveCheck != null && !keepAliveCheck.isDone();
  }

  private void armKeepAlive(ChannelHandlerContext ctx, long delayNanos) {
    keepAliveCheck = ctx.executor().schedule(() -> checkKeepAlive(ctx), delayNanos,
        TimeUnit.NANOSECONDS);
  }

  private void checkKeepAlive(ChannelHandlerContext ctx) {
    keepAliveCheck = null;
    if (closing || keepAliveNanos == 0 || !ctx.channel().isActive()) {
      return;
    }
    long silent = clock.getAsLong() - lastRead;
    if (silent < keepAliveNanos) {
      armKeepAlive(ctx, keepAliveNanos - silent); // read since: due that much later
      return;
    }
    connection.keepAliveExpired();
    if (!closing && ctx.channel().isActive()) {
      // Not closed (a throttled client is not): look again a whole period later.
      armKeepAlive(ctx, keepAliveNanos);
    }
  }

  private void stopKeepAlive() {
    if (keepAliveCheck != null) {
      keepAliveCheck.cancel(false); // off the loop's queue: a closed connection is not held
      keepAliveCheck = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (connectTimeout != null) {
      connectTimeout.cancel(false);
    }
    stopKeepAlive();
    engineClosed();
    ctx.fireChannelInactive();
  }

  /**
   * The engine sent its last packet and the socket lingers for the client to read it: nothing read
   * from now on reaches the engine, and the engine hears of the close at once, not after the linger
   * (a client taking over the session must not wait for it). Called on the event loop, from within
   * the engine: {@code closed()} runs in a task of its own, as it would after a plain close.
   */
  void closing(ChannelHandlerContext ctx) {
    closing = true;
    if (connectTimeout != null) {
      connectTimeout.cancel(false);
    }
    stopKeepAlive();
    ctx.executor().execute(this::engineClosed);
  }

  private void engineClosed() {
    if (!engineClosed) {
      engineClosed = true;
      connection.closed();
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

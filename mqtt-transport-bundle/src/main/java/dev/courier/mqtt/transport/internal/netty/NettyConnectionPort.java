package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionPort;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** {@link ConnectionPort} over a Netty channel, seen from the connection handler's context. */
final class NettyConnectionPort implements ConnectionPort {

  static final String KEEP_ALIVE = "keepAlive";

  private final ChannelHandlerContext ctx;
  private final Runnable closing;
  private final String remote;

  /**
   * @param closing run when a lingering close begins: from then on the engine is told the
   *     connection is closed and is given nothing more
   */
  NettyConnectionPort(ChannelHandlerContext ctx, Runnable closing) {
    this.ctx = ctx;
    this.closing = closing;
    this.remote = String.valueOf(ctx.channel().remoteAddress());
  }

  @Override
  public void write(MqttMessage message) {
    ctx.write(message, ctx.voidPromise());
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
  public void keepAlive(int seconds) {
    long millis = seconds * 1500L; // [MQTT-3.1.2-24] one and a half times the keep-alive
    if (ctx.pipeline().get(KEEP_ALIVE) != null) {
      ctx.pipeline().remove(KEEP_ALIVE);
    }
    ctx.pipeline().addBefore(ctx.name(), KEEP_ALIVE,
        new IdleStateHandler(millis, 0, 0, TimeUnit.MILLISECONDS));
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
    closing.run();
    LingeringCloseHandler.begin(ctx);
  }

  @Override
  public Executor executor() {
    return ctx.executor();
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    ctx.executor().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public String remoteAddress() {
    return remote;
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
}

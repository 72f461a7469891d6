package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionPort;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** {@link ConnectionPort} over a Netty channel, seen from the connection handler's context. */
final class NettyConnectionPort implements ConnectionPort {

  private final ChannelHandlerContext ctx;
  /** Told when a lingering close begins, and keeps the keep-alive timer. */
  private final MqttConnectionHandler handler;

  NettyConnectionPort(ChannelHandlerContext ctx, MqttConnectionHandler handler) {
    this.ctx = ctx;
    this.handler = handler;
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
    handler.keepAlive(ctx, seconds);
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
    handler.closing(ctx); // from now on the engine is told it is closed and is given nothing
    LingeringCloseHandler.begin(ctx);
  }

  /** A socket waits for the client's close (see {@link LingeringCloseHandler}); others close. */
  @Override
  public void closeAfterClient() {
    if (!(ctx.channel() instanceof DuplexChannel) || !ctx.channel().isActive()) {
      ctx.close();
      return;
    }
    handler.closing(ctx);
    LingeringCloseHandler.awaitClientClose(ctx);
  }

  @Override
  public Executor executor() {
    return ctx.executor();
  }

  @Override
  public void handOff(Runnable task) {
    handler.handOff().execute(ctx.executor(), task);
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    ctx.executor().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public long nanoTime() {
    return handler.nanoTime();
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
}

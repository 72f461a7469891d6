package dev.courier.mqtt.transport.internal.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a connection after a last packet (DISCONNECT or a refusing CONNACK) so that the client can
 * read it. Closing a TCP socket that still has unread input makes the kernel send RST instead of
 * FIN, and a client that is still sending (one over Receive Maximum, say) may then lose the packet
 * and its reason code. Instead the last packet is flushed, our side half-closed (TLS: close_notify
 * first), and whatever the client still sends is read and dropped at the front of the pipeline
 * until the client closes its side or {@link #LINGER_MILLIS} have passed.
 *
 * <p>After the client's DISCONNECT ({@link #awaitClientClose}) our side is not half-closed: the
 * client closes first, as it must [MQTT-3.14.4-1], and the socket closes when its end of stream
 * arrives, so that TCP's TIME_WAIT state (a minute on Linux) is the client's. Held by the server,
 * one per disconnect, they made new connections that reused a client port wait a second for a
 * retransmitted SYN: a connect storm from one address fell from 7,000 to 2,500 connections/s.
 *
 * <p>Runs on the channel's event loop.
 */
final class LingeringCloseHandler extends ChannelInboundHandlerAdapter {

  static final String NAME = "linger";
  /**
   * How long the socket stays open for the client to read the last packet and close: long enough
   * for a client busy sending (or a loaded machine) to get there, short enough that a client that
   * never closes costs little.
   */
  static final long LINGER_MILLIS = 2000;

  private static final Logger LOG = LoggerFactory.getLogger(LingeringCloseHandler.class);

  private ScheduledFuture<?> deadline;

  private LingeringCloseHandler() {
  }

  /**
   * Starts the lingering close of {@code ctx}'s channel, which must be a socket; a second call does
   * nothing. Packets written before it are sent first.
   */
  static void begin(ChannelHandlerContext ctx) {
    if (!install(ctx)) {
      return;
    }
    Channel channel = ctx.channel();
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture sent) -> {
      if (!sent.isSuccess()) {
        channel.close();
      } else if (channel.isActive()) {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null) {
          shutdownOutput(channel);
        } else {
          tls.closeOutbound().addListener((ChannelFuture notified) -> shutdownOutput(channel));
        }
      }
    });
  }

  /**
   * Starts waiting for the client to close {@code ctx}'s channel, which must be a socket, after its
   * DISCONNECT; a second call, or one after {@link #begin}, does nothing. Packets written before it
   * are sent first.
   */
  static void awaitClientClose(ChannelHandlerContext ctx) {
    if (install(ctx)) {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture sent) -> {
        if (!sent.isSuccess()) {
          ctx.channel().close();
        }
      });
    }
  }

  /** Puts the handler in front of the pipeline; false if a close already lingers. */
  private static boolean install(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    if (channel.pipeline().get(NAME) != null) {
      return false;
    }
    channel.pipeline().addFirst(NAME, new LingeringCloseHandler());
    // Keep reading (the engine may have paused it) so the kernel's receive buffer stays empty, and
    // the client's end of stream is seen (it closes the channel: no half-closure is allowed).
    channel.config().setAutoRead(true);
    return true;
  }

  /** FIN after the data; the client reads it all, then end of stream. */
  private static void shutdownOutput(Channel channel) {
    if (!channel.isActive()) {
      return;
    }
    ((DuplexChannel) channel).shutdownOutput().addListener((ChannelFuture done) -> {
      if (!done.isSuccess()) {
        channel.close();
      }
    });
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline = ctx.executor().schedule(() -> ctx.channel().close(), LINGER_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg); // [MQTT-4.13.1-1] nothing after a server DISCONNECT counts
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // the reads were dropped: nothing for the handlers behind
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    ReferenceCountUtil.release(evt); // no TLS or idle events for a connection that is ending
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // typically the client resetting the connection instead of closing it: it is over either way
    LOG.debug("Error on connection {} while closing: {}", ctx.channel().remoteAddress(),
        cause.toString());
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    deadline.cancel(false);
    ctx.fireChannelInactive();
  }
}

package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network side of one transport instance: event loops, the listening socket and every client
 * channel. A configuration change {@link #rebind rebinds} the listener; connections that are open
 * stay open with the settings they were accepted with.
 *
 * <p>Not thread-safe: the owning component calls it from its own (serialized) lifecycle methods.
 */
public final class NettyTransport {

  private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

  private final EventLoopGroup acceptor;
  private final EventLoopGroup workers;
  private final ChannelGroup channels;
  private final SessionRegistry registry;
  private Channel listener;
  private TransportConfig bound;

  /**
   * Starts the event loops (one acceptor thread and one worker per core); binds nothing yet.
   *
   * @param registry the sessions shared by all listeners of this transport
   */
  public NettyTransport(SessionRegistry registry) {
    this.registry = registry;
    this.acceptor = new NioEventLoopGroup(1, new DefaultThreadFactory("courier-mqtt-accept", true));
    this.workers = new NioEventLoopGroup(Runtime.getRuntime().availableProcessors(),
        new DefaultThreadFactory("courier-mqtt-io", true));
    this.channels = new DefaultChannelGroup("courier-mqtt", GlobalEventExecutor.INSTANCE);
  }

  /**
   * Binds a listener with {@code config}, replacing the current one. On failure the current
   * listener keeps running and the exception says why.
   *
   * @param config validated settings with {@code enabled} true
   * @param bridge the bridge new connections use
   * @throws BindFailure if the new listener cannot be bound
   */
  public void rebind(TransportConfig config, MessagingBridge bridge) {
    boolean sameAddress = bound != null && bound.host().equals(config.host())
        && bound.port() == config.port() && config.port() != 0;
    if (sameAddress) {
      // The port is ours already: let it go, then take it again with the new settings.
      TransportConfig previous = bound;
      closeListener();
      try {
        listener = bind(config, bridge);
        bound = config;
      } catch (BindFailure failure) {
        listener = bind(previous, bridge);
        bound = previous;
        throw failure;
      }
      return;
    }
    Channel fresh = bind(config, bridge);
    closeListener();
    listener = fresh;
    bound = config;
  }

  private Channel bind(TransportConfig config, MessagingBridge bridge) {
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptor, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(config.deliveryBufferSize() / 2, config.deliveryBufferSize()))
        .childOption(ChannelOption.RCVBUF_ALLOCATOR,
            new AdaptiveRecvByteBufAllocator(64, Math.min(1024, config.inboundBufferSize()),
                config.inboundBufferSize()))
        .childHandler(new MqttChannelInitializer(config, registry, bridge, channels));
    var future = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
    if (!future.isSuccess()) {
      throw new BindFailure("cannot bind MQTT listener to " + config.host() + ":" + config.port()
          + ": " + future.cause(), future.cause());
    }
    Channel channel = future.channel();
    LOG.info("MQTT listener bound to {}", channel.localAddress());
    return channel;
  }

  /** The listener's address, or null if none is bound. */
  public InetSocketAddress boundAddress() {
    Channel current = listener;
    return current == null ? null : (InetSocketAddress) current.localAddress();
  }

  /** Whether a listener is bound. */
  public boolean isBound() {
    return listener != null;
  }

  /** Stops accepting connections; open connections stay. */
  public void closeListener() {
    if (listener != null) {
      InetSocketAddress address = boundAddress();
      listener.close().awaitUninterruptibly();
      LOG.info("MQTT listener on {} closed", address);
      listener = null;
      bound = null;
    }
  }

  /** Closes every client connection (their wills are published). */
  public void closeConnections() {
    channels.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** Closes everything and stops the event loops. */
  public void shutdown() {
    closeListener();
    closeConnections();
    acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** The listener could not be bound; the message names the address. */
  public static final class BindFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BindFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

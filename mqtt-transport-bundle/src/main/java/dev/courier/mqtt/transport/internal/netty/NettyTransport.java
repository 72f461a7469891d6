package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.protocol.context.LogThrottle;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.MqttEngine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.RejectedExecutionException;
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
  /** Binds of a just-released port tried before the old listener is restored. */
  private static final int REBIND_ATTEMPTS = 40;
  /** Pause between those binds: at most about a second in all. */
  private static final long REBIND_RETRY_MILLIS = 25;
  /** The longest wait for a closed listener's socket to be released by its selector. */
  private static final long RELEASE_WAIT_SECONDS = 5;

  private final NativeTransport transport;
  private final EventLoopGroup acceptor;
  private final EventLoopGroup workers;
  /** The event loops in {@link #workers}. */
  private final int ioThreads;
  private final ChannelGroup channels;
  private final LogThrottle connectionRefusals = new LogThrottle(System::nanoTime);
  private final LogThrottle rateRefusals = new LogThrottle(System::nanoTime);
  private final MemoryPressure memory;
  /** Deliveries signalled from one worker to another, handed over once per turn of the first. */
  private final LoopHandOff handOff;
  private Channel listener;
  private MqttEngine bound;
  private Channel tlsListener;
  private MqttEngine tlsBound;
  private SslContext tlsContext;
  private final WebSocketSlot websocket = new WebSocketSlot("websocketPort", false);
  private final WebSocketSlot secureWebsocket = new WebSocketSlot("websocketSslPort", true);

  /** Starts the event loops (one acceptor thread and one worker per core); binds nothing yet. */
  public NettyTransport() {
    this(TransportConfig.AUTO_IO_THREADS);
  }

  /**
   * A transport with the event loops of {@code ioThreads} (see {@link
   * TransportConfig#ioThreadsFor}).
   */
  public NettyTransport(int ioThreads) {
    this(NativeTransport.detect(), new PlatformMemoryGauge(), ioThreads);
  }

  NettyTransport(NativeTransport transport) {
    this(transport, new PlatformMemoryGauge(), TransportConfig.AUTO_IO_THREADS);
  }

  /** The same, with the memory read from {@code gauge}: for tests that play memory pressure. */
  NettyTransport(MemoryGauge gauge) {
    this(NativeTransport.detect(), gauge, TransportConfig.AUTO_IO_THREADS);
  }

  private NettyTransport(NativeTransport transport, MemoryGauge gauge, int ioThreads) {
    this.transport = transport;
    this.acceptor = transport.group(1, new DefaultThreadFactory("courier-mqtt-accept", true));
    this.ioThreads = TransportConfig.ioThreadsFor(ioThreads,
        Runtime.getRuntime().availableProcessors());
    this.workers = transport.group(this.ioThreads,
        new DefaultThreadFactory("courier-mqtt-io", true), LocalityChooser.INSTANCE);
    this.handOff = new LoopHandOff(LoopHandOff.loopsOf(workers));
    this.channels = new DefaultChannelGroup("courier-mqtt", GlobalEventExecutor.INSTANCE);
    // Sampled on the acceptor: a few MXBean reads a sample, nothing that blocks.
    this.memory = new MemoryPressure(gauge, acceptor.next(), MemoryPressure.SAMPLE_MILLIS,
        System::nanoTime);
  }

  /**
   * Binds the listeners of the engine's settings (plain, and TLS if configured), replacing the
   * current ones; new connections get that engine. On failure the current listeners keep running
   * where possible and the exception says why, starting with the configuration key.
   *
   * @param engine the protocol engine, with validated settings whose {@code enabled} is true
   * @throws BindFailure if a listener cannot be bound
   * @throws TlsSettingsException if the TLS stores cannot be used
   */
  public void rebind(MqttEngine engine) {
    TransportConfig config = engine.config();
    SslContext ssl = config.tls() == null ? null : TlsContextFactory.create(config.tls());
    MqttEngine previous = bound;
    try {
      listener = rebindOne(listener, previous == null ? null : previous.config().host(),
          previous == null ? -1 : previous.config().port(), config.host(), config.port(),
          () -> bind(engine, null, config.host(), config.port()),
          () -> bind(previous, null, previous.config().host(), previous.config().port()), "port");
    } catch (BindFailure failure) {
      listener = failure.restored;
      bound = listener == null ? null : previous;
      throw failure;
    }
    bound = engine;
    // Process-wide, so one setting for both listeners: the one of the plain listener's engine.
    memory.refuseAbove(config.memoryRefusalPercent());
    // A WebSocket listener that cannot be bound does not keep the TLS ones from being rebound.
    BindFailure websocketFailure = rebindWebSocket(websocket, engine, null);
    if (ssl == null) {
      closeTlsListener();
      throwIfFailed(websocketFailure);
      return;
    }
    int tlsPort = config.tls().port();
    MqttEngine previousTls = tlsBound;
    SslContext previousSsl = tlsContext;
    try {
      tlsListener = rebindOne(tlsListener,
          previousTls == null ? null : previousTls.config().host(),
          previousTls == null ? -1 : previousTls.config().tls().port(), config.host(), tlsPort,
          () -> bind(engine, ssl, config.host(), tlsPort),
          () -> bind(previousTls, previousSsl, previousTls.config().host(),
              previousTls.config().tls().port()), "sslPort");
    } catch (BindFailure failure) {
      tlsListener = failure.restored;
      if (tlsListener == null) {
        tlsBound = null;
        tlsContext = null;
      }
      throw failure;
    }
    tlsBound = engine;
    tlsContext = ssl;
    BindFailure secureFailure = rebindWebSocket(secureWebsocket, engine, ssl);
    throwIfFailed(websocketFailure != null ? websocketFailure : secureFailure);
  }

  private static void throwIfFailed(BindFailure failure) {
    if (failure != null) {
      throw failure;
    }
  }

  /** A WebSocket listener: its channel, and the engine and TLS context it was bound with. */
  private static final class WebSocketSlot {
    final String key;
    final boolean secure;
    Channel channel;
    MqttEngine engine;
    SslContext ssl;

    WebSocketSlot(String key, boolean secure) {
      this.key = key;
      this.secure = secure;
    }

    /** The port these settings give this listener, or {@link TransportConfig#NO_LISTENER}. */
    int port(TransportConfig config) {
      if (!secure) {
        return config.websocketPort();
      }
      return config.tls() == null ? TransportConfig.NO_LISTENER : config.websocketSslPort();
    }

    InetSocketAddress address() {
      Channel current = channel;
      return current == null ? null : (InetSocketAddress) current.localAddress();
    }

    void close() {
      NettyTransport.close(channel);
      channel = null;
      engine = null;
      ssl = null;
    }
  }

  /**
   * Binds, replaces or closes one WebSocket listener for the engine's settings.
   *
   * @return why it could not be bound (the previous one, if any, still runs), or null
   */
  private BindFailure rebindWebSocket(WebSocketSlot slot, MqttEngine engine, SslContext ssl) {
    TransportConfig config = engine.config();
    int port = slot.port(config);
    if (port == TransportConfig.NO_LISTENER) {
      slot.close();
      return null;
    }
    MqttEngine previous = slot.engine;
    SslContext previousSsl = slot.ssl;
    try {
      slot.channel = rebindOne(slot.channel,
          previous == null ? null : previous.config().host(),
          previous == null ? -1 : slot.port(previous.config()), config.host(), port,
          () -> bind(engine, ssl, config.host(), port, config.websocketPath()),
          () -> bind(previous, previousSsl, previous.config().host(),
              slot.port(previous.config()), previous.config().websocketPath()), slot.key);
    } catch (BindFailure failure) {
      slot.channel = failure.restored;
      if (slot.channel == null) {
        slot.engine = null;
        slot.ssl = null;
      }
      return failure;
    }
    slot.engine = engine;
    slot.ssl = ssl;
    return null;
  }

  /** Replaces one listening channel, keeping the old one if the new one cannot be bound. */
  private Channel rebindOne(Channel current, String oldHost, int oldPort, String host, int port,
      java.util.function.Supplier<Channel> bindNew, java.util.function.Supplier<Channel> bindOld,
      String key) {
    // The same address: the configured one, or the port actually bound when 0 was configured.
    boolean sameAddress = current != null && host.equals(oldHost) && port != 0
        && (port == oldPort || port == ((InetSocketAddress) current.localAddress()).getPort());
    try {
      if (!sameAddress) {
        Channel fresh = bindNew.get();
        close(current);
        return fresh;
      }
      // The port is ours already: let it go, then take it again with the new settings.
      close(current);
      BindFailure last = null;
      for (int attempt = 0; attempt < REBIND_ATTEMPTS; attempt++) {
        try {
          return bindNew.get();
        } catch (BindFailure failure) {
          last = failure;
          // NIO frees a closed listener's port only after its selector has deregistered it,
          // some time after the close future completed: wait a little on the acceptor's timer,
          // then try again.
          acceptor.next().schedule(() -> { }, REBIND_RETRY_MILLIS, TimeUnit.MILLISECONDS)
              .awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
      }
      Channel restored = bindOld.get();
      throw new BindFailure(last.getMessage(), last.getCause(), restored);
    } catch (BindFailure failure) {
      throw new BindFailure(key + ": " + failure.getMessage(), failure.getCause(),
          failure.restored != null ? failure.restored : current);
    }
  }

  private Channel bind(MqttEngine engine, SslContext ssl, String host, int port) {
    return bind(engine, ssl, host, port, null);
  }

  /** @param websocketPath the path to upgrade on, for a WebSocket listener; null for MQTT */
  private Channel bind(MqttEngine engine, SslContext ssl, String host, int port,
      String websocketPath) {
    TransportConfig config = engine.config();
    MqttChannelInitializer initializer =
        new MqttChannelInitializer(engine, ssl, channels, connectionRefusals, rateRefusals, memory,
            handOff, websocketPath);
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptor, workers)
        .channel(transport.serverChannel())
        // The kernel's limit (net.core.somaxconn, read once by Netty): connections the kernel
        // completed but the acceptor did not take yet. Beyond it, SYNs are dropped and a client
        // waits a second for its retransmission: a reconnect storm of thousands overruns 1,024.
        .option(ChannelOption.SO_BACKLOG, NetUtil.SOMAXCONN)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(config.deliveryBufferSize() / 2, config.deliveryBufferSize()))
        .childOption(ChannelOption.RCVBUF_ALLOCATOR,
            new AdaptiveRecvByteBufAllocator(64, Math.min(1024, config.inboundBufferSize()),
                config.inboundBufferSize()))
        .childHandler(initializer);
    var future = bootstrap.bind(host, port).awaitUninterruptibly();
    if (!future.isSuccess()) {
      throw new BindFailure("cannot bind " + kind(ssl, websocketPath)
          + " listener to " + host + ":" + port + ": " + future.cause(), future.cause(), null);
    }
    Channel channel = future.channel();
    // After Netty's acceptor (added at registration), which pauses accepting on an error first.
    channel.pipeline().addLast("accept-errors", new AcceptErrorHandler());
    int limit = initializer.limit();
    LOG.info("{} listener bound to {}{} ({}, {} event loop(s), backlog {}, maxConnections {},"
        + " maxConnectRate {}, memoryRefusalPercent {})", kind(ssl, websocketPath),
        channel.localAddress(), websocketPath == null ? "" : " path " + websocketPath,
        transport.name(), ioThreads, NetUtil.SOMAXCONN,
        limit == Integer.MAX_VALUE ? "none" : String.valueOf(limit),
        config.maxConnectRate() == 0 ? "none" : config.maxConnectRate() + "/s",
        config.memoryRefusalPercent() == 0 ? "off" : String.valueOf(config.memoryRefusalPercent()));
    return channel;
  }

  private static String kind(SslContext ssl, String websocketPath) {
    if (websocketPath == null) {
      return ssl == null ? "MQTT" : "MQTT over TLS";
    }
    return ssl == null ? "MQTT over WebSocket" : "MQTT over secure WebSocket";
  }

  private static void close(Channel channel) {
    if (channel != null) {
      SocketAddress address = channel.localAddress();
      channel.close().awaitUninterruptibly();
      awaitSocketReleased(channel);
      LOG.info("MQTT listener on {} closed", address);
    }
  }

  /**
   * Waits until a closed listener's socket is really closed. The close future completes before
   * that: Netty deregisters the channel from its selector in a task after the close, and the JDK
   * closes a socket that is registered with a selector only when that selector next runs (it defers
   * the kernel close until the key is flushed). Until then the old port still accepts connections.
   * A task scheduled from the loop runs only after the loop's next select, so two such hops in a row
   * land after the select that follows the deregistration.
   */
  private static void awaitSocketReleased(Channel channel) {
    EventLoop loop = channel.eventLoop();
    if (loop.isShuttingDown()) {
      return;
    }
    Promise<Void> released = loop.newPromise();
    try {
      loop.execute(() -> loop.schedule(() -> loop.schedule(
          () -> released.trySuccess(null), 0, TimeUnit.NANOSECONDS), 0, TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException stopping) {
      return; // the loop is going away, and with it the selector and its sockets
    }
    if (!released.awaitUninterruptibly(RELEASE_WAIT_SECONDS, TimeUnit.SECONDS)) {
      LOG.warn("Listener socket {} not confirmed released within {} s", channel.localAddress(),
          RELEASE_WAIT_SECONDS);
    }
  }

  /** The Netty transport the listeners run on: {@code epoll} or {@code nio}. */
  public String transportName() {
    return transport.name();
  }

  /** Connections refused since start because {@code maxConnections} were open. */
  public long refusedConnections() {
    return connectionRefusals.total();
  }

  /** The event loops that own the connections ({@code ioThreads} resolved). */
  public int ioThreads() {
    return ioThreads;
  }

  /** Connections refused since start because a listener's {@code maxConnectRate} was exceeded. */
  public long rateRefusedConnections() {
    return rateRefusals.total();
  }

  /** Connections refused since start because memory was above {@code memoryRefusalPercent}. */
  public long memoryRefusedConnections() {
    return memory.refusedConnections();
  }

  /** Reads the memory gauge now and waits for it; for tests that play memory pressure. */
  void sampleMemory() {
    memory.sampleNow();
  }

  /** The TLS listener's address, or null if none is bound. */
  public InetSocketAddress tlsAddress() {
    Channel current = tlsListener;
    return current == null ? null : (InetSocketAddress) current.localAddress();
  }

  /** The WebSocket listener's address, or null if none is bound. */
  public InetSocketAddress websocketAddress() {
    return websocket.address();
  }

  /** The secure WebSocket listener's address, or null if none is bound. */
  public InetSocketAddress secureWebsocketAddress() {
    return secureWebsocket.address();
  }

  private void closeTlsListener() {
    secureWebsocket.close();
    close(tlsListener);
    tlsListener = null;
    tlsBound = null;
    tlsContext = null;
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
    close(listener);
    listener = null;
    bound = null;
    websocket.close();
    closeTlsListener();
  }

  /** Closes every client connection (their wills are published). */
  public void closeConnections() {
    channels.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** The open client channels; for tests that look at one connection's buffers. */
  ChannelGroup clientChannels() {
    return channels;
  }

  /** Closes everything and stops the event loops. */
  public void shutdown() {
    memory.stop();
    closeListener();
    closeConnections();
    acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** The listener could not be bound; the message names the address. */
  public static final class BindFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Channel restored;

    BindFailure(String message, Throwable cause, Channel restored) {
      super(message, cause);
      this.restored = restored;
    }
  }
}

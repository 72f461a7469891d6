package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.protocol.context.LogThrottle;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.MqttEngine;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.ssl.SslContext;

/**
 * Builds a client pipeline with fixed handler names: [tls,] [http, http-aggregator, websocket,
 * websocket-frames,] frame, decoder, mqtt. The {@code mqtt} handler encodes what it writes itself;
 * a refused connection's pipeline has an {@code encoder} before its {@code mqtt} handler instead.
 * A WebSocket listener's connections start with the HTTP upgrade (see {@link WebSocketFrames}),
 * then carry the same MQTT byte stream through the same handlers, limits and authentication.
 */
final class MqttChannelInitializer extends ChannelInitializer<SocketChannel> {

  static final String TLS = "tls";
  static final String FRAME = "frame";
  static final String DECODER = "decoder";
  static final String ENCODER = "encoder";
  static final String MQTT = "mqtt";
  static final String HTTP = "http";
  static final String HTTP_AGGREGATOR = "http-aggregator";
  static final String WEBSOCKET = "websocket";
  static final String WEBSOCKET_FRAMES = "websocket-frames";
  /** The largest HTTP upgrade request read (its headers; it has no body). */
  private static final int MAX_UPGRADE_REQUEST = 16 * 1024;

  private final MqttEngine engine;
  private final ChannelGroup channels;
  private final SslContext ssl;
  private final ConnectionLimit connections;
  /** The connect and keep-alive deadlines of this listener's connections. */
  private final ConnectionDeadlines deadlines;
  /** Asked in this order until one refuses: the rate counts only connections the others let in. */
  private final AdmissionLimit[] limits;
  /** The WebSocket handshake settings, for a WebSocket listener; else null. */
  private final WebSocketServerProtocolConfig websocket;
  /** The WebSocket listener's trusted proxies (see {@link WebSocketFrames}); else null. */
  private final java.util.Set<String> trustedProxies;

  /**
   * @param connectionRefusals the transport's count of connections refused for {@code
   *     maxConnections}
   * @param rateRefusals the transport's count of connections refused for {@code maxConnectRate}
   * @param memory the transport's {@code memoryRefusalPercent}
   * @param handOff the transport's hand-over of tasks between its event loops
   * @param websocketPath the path a WebSocket listener upgrades on; null for an MQTT listener
   */
  MqttChannelInitializer(MqttEngine engine, SslContext ssl, ChannelGroup channels,
      LogThrottle connectionRefusals, LogThrottle rateRefusals, MemoryPressure memory,
      LoopHandOff handOff, String websocketPath) {
    this.engine = engine;
    this.websocket = websocketPath == null ? null
        : WebSocketFrames.handshake(websocketPath, engine.config());
    this.trustedProxies = websocketPath == null ? null
        : WebSocketFrames.trustedProxies(engine.config());
    this.ssl = ssl;
    this.channels = channels;
    TransportConfig config = engine.config();
    this.deadlines =
        new ConnectionDeadlines(System::nanoTime, config.connectTimeoutSeconds(), handOff);
    // maxConnections counts the plain and TLS listeners together, so it reads the channel group.
    this.connections = new ConnectionLimit(
        config.effectiveMaxConnections(ConnectionLimit.openFileLimit()), channels,
        connectionRefusals);
    // maxConnectRate is one listener's: each initializer has its own bucket.
    this.limits = config.maxConnectRate() == 0
        ? new AdmissionLimit[] {connections, memory}
        : new AdmissionLimit[] {connections, memory,
            new ConnectRate(config.maxConnectRate(), System::nanoTime, rateRefusals)};
  }

  /** The connection limit in force ({@link Integer#MAX_VALUE}: none). */
  int limit() {
    return connections.limit();
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    AdmissionLimit refusing = refusing();
    channels.add(channel);
    if (ssl != null) {
      channel.pipeline().addLast(TLS, ssl.newHandler(channel.alloc()));
    }
    if (websocket != null) {
      ChannelPipeline pipeline = channel.pipeline();
      pipeline.addLast(HTTP, new HttpServerCodec());
      pipeline.addLast(HTTP_AGGREGATOR, new HttpObjectAggregator(MAX_UPGRADE_REQUEST));
      pipeline.addLast(WEBSOCKET, new WebSocketServerProtocolHandler(websocket));
      pipeline.addLast(WEBSOCKET_FRAMES, new WebSocketFrames(trustedProxies));
    }
    if (refusing != null) {
      refuse(channel.pipeline(), refusing);
    } else {
      configure(channel.pipeline(), engine, deadlines);
    }
  }

  /** The first limit that refuses a new connection now, or null if none does. */
  private AdmissionLimit refusing() {
    for (AdmissionLimit limit : limits) {
      if (limit.refusesNew()) {
        return limit;
      }
    }
    return null;
  }

  /** Just enough to read the CONNECT and answer it with the limit's refusal. */
  private void refuse(ChannelPipeline pipeline, AdmissionLimit limit) {
    TransportConfig config = engine.config();
    decoding(pipeline, config);
    pipeline.addLast(ENCODER, PublishEncoder.INSTANCE);
    pipeline.addLast(MQTT, new OverLimitHandler(limit, config.connectTimeoutSeconds()));
  }

  /**
   * Installs the MQTT handlers, their reads and timers kept by {@code deadlines}: shared with tests
   * that use an {@code EmbeddedChannel}, whose deadlines run by a clock of their own.
   */
  static void configure(ChannelPipeline pipeline, MqttEngine engine,
      ConnectionDeadlines deadlines) {
    decoding(pipeline, engine.config());
    // The handler encodes as it writes (PublishEncoder), without an encoder context per pipeline.
    pipeline.addLast(MQTT, new MqttConnectionHandler(engine, deadlines));
  }

  /** Frame checks and decoder: what every client pipeline starts with. */
  private static void decoding(ChannelPipeline pipeline, TransportConfig config) {
    pipeline.addLast(FRAME, new MqttFrameValidator(config.maxPacketSize()));
    pipeline.addLast(DECODER, new MqttDecoder(config.maxPacketSize(), config.maxClientIdLength()));
  }
}

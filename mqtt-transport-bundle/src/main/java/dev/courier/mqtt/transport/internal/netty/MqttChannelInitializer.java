package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.MqttEngine;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.SslContext;

/** Builds a client pipeline with fixed handler names: [tls,] frame, decoder, encoder, mqtt. */
final class MqttChannelInitializer extends ChannelInitializer<SocketChannel> {

  static final String TLS = "tls";
  static final String FRAME = "frame";
  static final String DECODER = "decoder";
  static final String ENCODER = "encoder";
  static final String PUBLISH_ENCODER = "publish-encoder";
  static final String MQTT = "mqtt";

  private final MqttEngine engine;
  private final ChannelGroup channels;
  private final SslContext ssl;
  private final ConnectionLimit counter;
  /** {@code maxConnections} in force, for the plain and TLS listeners together. */
  private final int limit;

  MqttChannelInitializer(MqttEngine engine, SslContext ssl, ChannelGroup channels,
      ConnectionLimit counter) {
    this.engine = engine;
    this.ssl = ssl;
    this.channels = channels;
    this.counter = counter;
    this.limit = engine.config().effectiveMaxConnections(ConnectionLimit.openFileLimit());
  }

  /** The connection limit in force ({@link Integer#MAX_VALUE}: none). */
  int limit() {
    return limit;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    // The group drops closed channels, so its size is the connections open now, this one included.
    boolean overLimit = channels.size() >= limit;
    channels.add(channel);
    if (ssl != null) {
      channel.pipeline().addLast(TLS, ssl.newHandler(channel.alloc()));
    }
    if (overLimit) {
      refuse(channel.pipeline());
    } else {
      configure(channel.pipeline(), engine);
    }
  }

  /** Just enough to read the CONNECT and answer it with a refusal. */
  private void refuse(ChannelPipeline pipeline) {
    TransportConfig config = engine.config();
    codec(pipeline, config);
    pipeline.addLast(MQTT, new OverLimitHandler(limit, config.connectTimeoutSeconds(), counter));
  }

  /** Installs the MQTT handlers; shared with tests that use an {@code EmbeddedChannel}. */
  static void configure(ChannelPipeline pipeline, MqttEngine engine) {
    TransportConfig config = engine.config();
    codec(pipeline, config);
    // Outbound writes pass it before MqttEncoder: PUBLISH without properties in one buffer.
    pipeline.addLast(PUBLISH_ENCODER, PublishEncoder.INSTANCE);
    pipeline.addLast(MQTT, new MqttConnectionHandler(engine));
  }

  /** Frame checks, decoder and encoder: what every client pipeline starts with. */
  private static void codec(ChannelPipeline pipeline, TransportConfig config) {
    pipeline.addLast(FRAME, new MqttFrameValidator(config.maxPacketSize()));
    pipeline.addLast(DECODER, new MqttDecoder(config.maxPacketSize(), config.maxClientIdLength()));
    pipeline.addLast(ENCODER, MqttEncoder.INSTANCE);
  }
}

package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.ConnectionServices;
import dev.courier.mqtt.transport.internal.protocol.TransportStatistics;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
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
  static final String MQTT = "mqtt";

  private final TransportConfig config;
  private final ConnectionServices services;
  private final ChannelGroup channels;
  private final SslContext ssl;

  MqttChannelInitializer(TransportConfig config, ConnectionServices services, SslContext ssl,
      ChannelGroup channels) {
    this.config = config;
    this.services = services;
    this.ssl = ssl;
    this.channels = channels;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    channels.add(channel);
    if (ssl != null) {
      channel.pipeline().addLast(TLS, ssl.newHandler(channel.alloc()));
    }
    configure(channel.pipeline(), config, services);
  }

  /** Installs the MQTT handlers; shared with tests that use an {@code EmbeddedChannel}. */
  static void configure(ChannelPipeline pipeline, TransportConfig config, SessionRegistry registry,
      MessagingBridge bridge) {
    configure(pipeline, config, registry, bridge, AccessControl.open());
  }

  /** Installs the MQTT handlers with authentication and authorization. */
  static void configure(ChannelPipeline pipeline, TransportConfig config, SessionRegistry registry,
      MessagingBridge bridge, AccessControl access) {
    configure(pipeline, config,
        ConnectionServices.of(registry, bridge, access, new TransportStatistics()));
  }

  /** Installs the MQTT handlers of a running transport's connection. */
  static void configure(ChannelPipeline pipeline, TransportConfig config,
      ConnectionServices services) {
    pipeline.addLast(FRAME, new MqttFrameValidator(config.maxPacketSize()));
    pipeline.addLast(DECODER, new MqttDecoder(config.maxPacketSize(), config.maxClientIdLength()));
    pipeline.addLast(ENCODER, MqttEncoder.INSTANCE);
    pipeline.addLast(MQTT, new MqttConnectionHandler(config, services));
  }
}

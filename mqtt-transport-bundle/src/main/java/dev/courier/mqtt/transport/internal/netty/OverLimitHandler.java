package dev.courier.mqtt.transport.internal.netty;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a connection beyond {@code maxConnections}: its CONNECT gets CONNACK 3 "server
 * unavailable" (MQTT 3.1/3.1.1) or 0x97 "quota exceeded" (MQTT 5.0), then the connection closes;
 * nothing reaches the engine. One that sends no CONNECT within the connect timeout, or anything
 * else, is closed.
 */
final class OverLimitHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(OverLimitHandler.class);
  private static final byte MQTT_5 = 5;

  private final int limit;
  private final int connectTimeoutSeconds;
  private final ConnectionLimit counter;

  OverLimitHandler(int limit, int connectTimeoutSeconds, ConnectionLimit counter) {
    this.limit = limit;
    this.connectTimeoutSeconds = connectTimeoutSeconds;
    this.counter = counter;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.executor().schedule(() -> ctx.close(), connectTimeoutSeconds, TimeUnit.SECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    try {
      if (message instanceof MqttConnectMessage connect && connect.decoderResult().isSuccess()) {
        boolean five = connect.variableHeader().version() == MQTT_5;
        LOG.debug("Client {} refused: {} connections are open (maxConnections)",
            connect.payload().clientIdentifier(), limit);
        counter.refused(limit);
        ctx.writeAndFlush(MqttMessageBuilders.connAck()
            .returnCode(five ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE)
            .sessionPresent(false).build()).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.close();
      }
    } finally {
      ReferenceCountUtil.release(message);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}

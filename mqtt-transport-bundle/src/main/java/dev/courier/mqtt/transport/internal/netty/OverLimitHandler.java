package dev.courier.mqtt.transport.internal.netty;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Answers a connection that an {@link AdmissionLimit} refused: its CONNECT gets CONNACK 3 "server
 * unavailable" (MQTT 3.1/3.1.1) or the limit's code (MQTT 5.0: 0x97 quota exceeded, 0x9F
 * connection rate exceeded, 0x89 server busy), then the connection closes; nothing reaches the
 * engine. One that sends no CONNECT within the connect timeout, or anything else, is closed.
 */
final class OverLimitHandler extends ChannelInboundHandlerAdapter {

  private static final byte MQTT_5 = 5;

  private final AdmissionLimit limit;
  private final int connectTimeoutSeconds;

  OverLimitHandler(AdmissionLimit limit, int connectTimeoutSeconds) {
    this.limit = limit;
    this.connectTimeoutSeconds = connectTimeoutSeconds;
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
        limit.refused(connect.payload().clientIdentifier());
        ctx.writeAndFlush(MqttMessageBuilders.connAck()
            .returnCode(five ? limit.mqtt5Code()
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

package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.config.IpLiterals;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT over WebSocket (MQTT 5.0 section 6, 3.1.1 section 6): between the WebSocket protocol handler
 * and the MQTT handlers, turns the payload of binary frames into the MQTT byte stream and what the
 * MQTT handlers write into binary frames.
 *
 * <p>A frame need not hold one MQTT packet: a packet may span frames and a frame may hold several
 * packets or a part of one [MQTT-6.0.0-2], so each binary or continuation frame's payload goes to
 * the MQTT decoder as it comes, which puts packets together as it does from TCP. A text frame
 * closes the connection [MQTT-6.0.0-1]. An HTTP request for another path than the listener's is
 * answered 404 Not Found and closed.
 *
 * <p>Behind a reverse proxy the TCP peer is the proxy. From a peer in {@code
 * websocketTrustedProxies}, the client's address is the upgrade request's {@code X-Forwarded-For}
 * entry nearest to that proxy which is not a trusted proxy itself (entries further left could be
 * made up by the client); it is kept as the channel's {@link #CLIENT_ADDRESS}, which the
 * connection reports to the authenticator and in its log lines. From any other peer the header is
 * ignored.
 */
final class WebSocketFrames extends ChannelDuplexHandler {

  private static final Logger LOG = LoggerFactory.getLogger(WebSocketFrames.class);

  /** The client's address as a trusted proxy forwarded it ({@code /203.0.113.7}), if one did. */
  static final AttributeKey<String> CLIENT_ADDRESS =
      AttributeKey.valueOf(WebSocketFrames.class, "clientAddress");

  /** Normalized addresses (see {@link IpLiterals}) of the trusted proxies; shared. */
  private final Set<String> trustedProxies;

  WebSocketFrames(Set<String> trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  /** The trusted proxies of these settings, normalized, for {@link #WebSocketFrames(Set)}. */
  static Set<String> trustedProxies(TransportConfig config) {
    Set<String> proxies = new HashSet<>();
    for (String proxy : config.websocketTrustedProxies()) {
      String address = IpLiterals.normalize(proxy);
      if (address != null) {
        proxies.add(address);
      }
    }
    return Set.copyOf(proxies);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake
        && !trustedProxies.isEmpty()) {
      String client = forwardedClient(ctx.channel().remoteAddress(),
          handshake.requestHeaders().getAll(X_FORWARDED_FOR));
      if (client != null) {
        ctx.channel().attr(CLIENT_ADDRESS).set("/" + client);
      }
    }
    super.userEventTriggered(ctx, event);
  }

  private static final String X_FORWARDED_FOR = "X-Forwarded-For";

  /**
   * The client's address that the proxy at {@code peer} forwarded, or null: null when the peer is
   * not trusted or the header names no address (an entry that is not an IP address ends the
   * search: nothing left of it can be trusted).
   */
  String forwardedClient(SocketAddress peer, List<String> headers) {
    if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null
        || !trustedProxies.contains(inet.getAddress().getHostAddress()) || headers.isEmpty()) {
      return null;
    }
    List<String> hops = new ArrayList<>();
    for (String header : headers) {
      for (String hop : header.split(",")) {
        hops.add(hop.trim());
      }
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      String address = IpLiterals.normalize(hops.get(i));
      if (address == null) {
        return null;
      }
      if (!trustedProxies.contains(address)) {
        return address;
      }
    }
    return null; // only proxies: the peer's own address stands
  }

  /**
   * The WebSocket sub-protocols offered: {@code mqtt} (3.1.1 and 5.0) and {@code mqttv3.1} (3.1
   * clients). A client that asks for none is accepted too, as browsers' MQTT libraries always ask.
   */
  static final String SUBPROTOCOLS = "mqtt,mqttv3.1";

  /** The handshake and frame settings of a WebSocket listener on {@code path}. */
  static WebSocketServerProtocolConfig handshake(String path, TransportConfig config) {
    return WebSocketServerProtocolConfig.newBuilder()
        .websocketPath(path)
        .subprotocols(SUBPROTOCOLS)
        .checkStartsWith(false)
        .handshakeTimeoutMillis(config.connectTimeoutSeconds() * 1000L)
        .decoderConfig(WebSocketDecoderConfig.newBuilder()
            // A frame is at most a whole packet (fragments of larger ones are smaller).
            .maxFramePayloadLength(config.maxPacketSize())
            .allowExtensions(false)
            .build())
        .build();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
      ctx.fireChannelRead(((WebSocketFrame) msg).content());
      return;
    }
    if (msg instanceof WebSocketFrame) {
      ReferenceCountUtil.release(msg);
      LOG.debug("Connection {}: a WebSocket text frame, closed [MQTT-6.0.0-1]",
          ctx.channel().remoteAddress());
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (msg instanceof FullHttpRequest request) {
      // Not the listener's path (the protocol handler took that one): nothing MQTT here.
      ReferenceCountUtil.release(request);
      DefaultFullHttpResponse notFound = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
      notFound.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
      ctx.writeAndFlush(notFound).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf bytes) {
      ctx.write(new BinaryWebSocketFrame(bytes), promise);
    } else {
      ctx.write(msg, promise);
    }
  }
}

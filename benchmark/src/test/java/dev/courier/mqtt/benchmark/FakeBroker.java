package dev.courier.mqtt.benchmark;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.util.AttributeKey;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.function.Predicate;

/**
 * Just enough of an MQTT 3.1.1 / 5.0 broker for the connection scenarios: CONNECT (refused for the
 * client ids {@code refuse} matches), persistent sessions with one QoS 1 subscription each, queued
 * while offline and delivered on resumption, session expiry 0 on DISCONNECT. Sessions whose client
 * id {@code lose} matches are forgotten while their client is away. One event-loop thread owns all
 * state.
 */
final class FakeBroker implements AutoCloseable {

    private static final AttributeKey<Session> SESSION = AttributeKey.valueOf(
        "fake-broker-session");
    private static final int SESSION_EXPIRY =
        MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value();

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    private final Predicate<String> refuse;
    private final Predicate<String> lose;
    private final Map<String, Session> sessions = new HashMap<>();

    FakeBroker(Predicate<String> refuse, Predicate<String> lose) throws InterruptedException {
        this.refuse = refuse;
        this.lose = lose;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new MqttDecoder(), MqttEncoder.INSTANCE, new Handler());
                }
            }).bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Sessions the broker still holds, read on its event loop. */
    int sessions() throws Exception {
        return group.submit(sessions::size).get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Session {
        final String clientId;
        String topic;
        Channel online;
        /** 3.1.1: 0 when clean, else "forever"; 5.0: the Session Expiry Interval. */
        int expiry;
        int nextId;
        final Queue<ByteBuf> queued = new ArrayDeque<>();

        Session(String clientId) {
            this.clientId = clientId;
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<MqttMessage> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
            switch (m.fixedHeader().messageType()) {
                case CONNECT:
                    connect(ctx, (MqttConnectMessage) m);
                    break;
                case SUBSCRIBE: {
                    MqttSubscribeMessage s = (MqttSubscribeMessage) m;
                    ctx.channel().attr(SESSION).get().topic = s.payload().topicSubscriptions().get(
                        0).topicName();
                    ctx.writeAndFlush(
                        MqttMessageBuilders.subAck().packetId(s.variableHeader().messageId())
                        .addGrantedQos(MqttQoS.AT_LEAST_ONCE).build());
                    break;
                }
                case PUBLISH:
                    publish(ctx, (MqttPublishMessage) m);
                    break;
                case DISCONNECT: {
                    Object h = m.variableHeader();
                    if (h instanceof MqttReasonCodeAndPropertiesVariableHeader) {
                        MqttProperties props =
                            ((MqttReasonCodeAndPropertiesVariableHeader) h).properties();
                        MqttProperties.MqttProperty<?> p = props.getProperty(SESSION_EXPIRY);
                        if (p != null) {
                            ctx.channel().attr(SESSION).get().expiry = (Integer) p.value();
                        }
                    }
                    ctx.close();
                    break;
                }
                case PINGREQ:
                    ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP,
                        false,
                        MqttQoS.AT_MOST_ONCE, false, 0)));
                    break;
                default:
                    break;      // PUBACKs of deliveries
            }
        }

        private void connect(ChannelHandlerContext ctx, MqttConnectMessage c) {
            String id = c.payload().clientIdentifier();
            if (refuse.test(id)) {
                ctx.writeAndFlush(MqttMessageBuilders.connAck()
                    .returnCode(c.variableHeader().version() == 5
                        ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                        : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE).build())
                    .addListener(f -> ctx.close());
                return;
            }
            boolean v5 = c.variableHeader().version() == 5;
            boolean clean = c.variableHeader().isCleanSession();
            if (clean) {
                forget(sessions.remove(id));
            }
            Session s = sessions.get(id);
            boolean present = s != null;
            if (s == null) {
                s = new Session(id);
                sessions.put(id, s);
            }
            MqttProperties.MqttProperty<?> expiry = c.variableHeader().properties().getProperty(
                SESSION_EXPIRY);
            s.expiry = v5 ? expiry == null ? 0 : (Integer) expiry.value() : clean ? 0
                : Integer.MAX_VALUE;
            s.online = ctx.channel();
            ctx.channel().attr(SESSION).set(s);
            MqttConnAckMessage ack = MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).sessionPresent(
                    present).build();
            ctx.writeAndFlush(ack);
            while (!s.queued.isEmpty()) {
                deliver(s, s.queued.poll());
            }
        }

        private void publish(ChannelHandlerContext ctx, MqttPublishMessage p) {
            for (Session s : sessions.values()) {
                if (p.variableHeader().topicName().equals(s.topic)) {
                    if (s.online != null) {
                        deliver(s, p.payload().retainedDuplicate());
                    } else {
                        s.queued.add(p.payload().retainedDuplicate());
                    }
                }
            }
            ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false,
                MqttQoS.AT_MOST_ONCE, false, 2),
                    MqttMessageIdVariableHeader.from(p.variableHeader().packetId())));
        }

        private void deliver(Session s, ByteBuf payload) {
            s.nextId = s.nextId % 65535 + 1;
            s.online.writeAndFlush(
                MqttMessageBuilders.publish().topicName(s.topic).qos(MqttQoS.AT_LEAST_ONCE)
                .messageId(s.nextId).payload(payload).build());
            payload.release();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Session s = ctx.channel().attr(SESSION).get();
            if (s == null || s.online != ctx.channel()) {
                return;
            }
            s.online = null;
            if (s.expiry == 0 || lose.test(s.clientId)) {
                forget(sessions.remove(s.clientId));
            }
        }

        private void forget(Session s) {
            if (s != null) {
                s.queued.forEach(ByteBuf::release);
                s.queued.clear();
            }
        }
    }
}

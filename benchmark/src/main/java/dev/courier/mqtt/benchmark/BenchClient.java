package dev.courier.mqtt.benchmark;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Common MQTT 3.1.1 client plumbing: CONNECT (clean session) on channel activation, CONNACK check, keep-alive
 * PINGREQ, DISCONNECT on close, error bookkeeping. All state is confined to the channel's event loop except the
 * volatile fields read by the runner thread.
 */
abstract class BenchClient extends ChannelInboundHandlerAdapter {

    private static final MqttMessage PINGREQ =
        new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0));
    private static final MqttMessage DISCONNECT =
        new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0));

    final String clientId;
    final int keepAliveSeconds;
    /** Completes when the client is ready for the case (CONNACK for publishers, SUBACK for subscribers). */
    final CompletableFuture<Void> ready = new CompletableFuture<>();

    ChannelHandlerContext ctx;
    /** True: all packets through MqttEncoder; false: PUBLISH and acks pre-encoded (fast path). */
    final boolean nettyEncoder;
    /** CONNECT with cleanSession=false (a persistent session, durable subscriptions on a persistent broker). */
    boolean persistentSession;
    /** MQTT credentials, or null. */
    String username;
    String password;
    private ByteBuf pendingAcks;
    private ScheduledFuture<?> pingTask;
    private volatile boolean closing;
    private volatile String error;

    BenchClient(String clientId, int keepAliveSeconds, boolean nettyEncoder) {
        this.clientId = clientId;
        this.keepAliveSeconds = keepAliveSeconds;
        this.nettyEncoder = nettyEncoder;
    }

    /**
     * Queues a PUBACK / PUBREC / PUBREL / PUBCOMP. On the fast path the 4-byte packets of one read burst are
     * gathered in one buffer (written by {@link #writeQueuedAcks()}); otherwise each goes through MqttEncoder.
     */
    void queueAck(MqttMessageType type, int packetId) {
        if (nettyEncoder) {
            ctx.write(ack(type, packetId), ctx.voidPromise());
            return;
        }
        if (pendingAcks == null) {
            pendingAcks = ctx.alloc().ioBuffer(512);
        }
        // PUBREL carries the fixed-header flags 0010
        pendingAcks.writeByte(type.value() << 4 | (type == MqttMessageType.PUBREL ? 0x02 : 0));
        pendingAcks.writeByte(2);
        pendingAcks.writeShort(packetId);
    }

    /** Writes (does not flush) the acks gathered since the last call. */
    void writeQueuedAcks() {
        ByteBuf acks = pendingAcks;
        if (acks != null) {
            pendingAcks = null;
            ctx.write(acks, ctx.voidPromise());
        }
    }

    Channel channel() {
        return ctx == null ? null : ctx.channel();
    }

    String error() {
        return error;
    }

    void fail(String message) {
        if (error == null) {
            error = clientId + ": " + message;
        }
        ready.completeExceptionally(new IllegalStateException(error));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        MqttMessageBuilders.ConnectBuilder builder = MqttMessageBuilders.connect()
            .protocolVersion(MqttVersion.MQTT_3_1_1)
            .clientId(clientId)
            .cleanSession(!persistentSession)
            .keepAlive(keepAliveSeconds);
        if (username != null) {
            builder.hasUser(true).username(username);
        }
        if (password != null) {
            builder.hasPassword(true).password(password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        MqttMessage connect = builder.build();
        ctx.writeAndFlush(connect).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        long period = Math.max(1, keepAliveSeconds / 2);
        pingTask = ctx.executor().scheduleAtFixedRate(
            () -> ctx.writeAndFlush(PINGREQ, ctx.voidPromise()), period, period, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pendingAcks != null) {
            pendingAcks.release();
            pendingAcks = null;
        }
        if (pingTask != null) {
            pingTask.cancel(false);
        }
        if (!closing) {
            fail("connection closed by the broker");
        }
        onInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!closing) {
            fail(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
        ctx.close();
    }

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof MqttMessage)) {
                return;
            }
            MqttMessage m = (MqttMessage) msg;
            if (m.decoderResult().isFailure()) {
                fail("undecodable packet from broker: " + m.decoderResult().cause());
                ctx.close();
                return;
            }
            MqttMessageType type = m.fixedHeader().messageType();
            switch (type) {
                case CONNACK:
                    MqttConnectReturnCode rc = ((MqttConnAckMessage) m).variableHeader().connectReturnCode();
                    if (rc == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                        onConnected();
                    } else {
                        fail("CONNACK refused: " + rc);
                        ctx.close();
                    }
                    break;
                case PINGRESP:
                    break;
                default:
                    onMessage(m);
                    break;
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Sends DISCONNECT and closes; does not count as an error. Safe to call from any thread. */
    void disconnect() {
        closing = true;
        Channel ch = channel();
        if (ch == null) {
            return;
        }
        if (ch.isActive()) {
            ch.writeAndFlush(DISCONNECT).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    static MqttMessage ack(MqttMessageType type, int packetId) {
        // PUBREL carries fixed-header flags 0010, i.e. QoS 1 in the encoder's terms
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0),
            MqttMessageIdVariableHeader.from(packetId));
    }

    abstract void onConnected();

    abstract void onMessage(MqttMessage m);

    void onInactive() {
    }
}

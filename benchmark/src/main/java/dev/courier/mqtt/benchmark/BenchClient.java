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
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Common MQTT 3.1.1 / 5.0 client plumbing: CONNECT on channel activation, CONNACK check and its 5.0 limits
 * ({@link ServerLimits}), keep-alive PINGREQ, reason-code checks, server DISCONNECT, DISCONNECT on close, error
 * bookkeeping. All state is confined to the channel's event loop except the volatile fields read by the runner
 * thread.
 */
abstract class BenchClient extends ChannelInboundHandlerAdapter {

    private static final MqttMessage PINGREQ =
        new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0));

    final String clientId;
    final ProtocolVersion version;
    final int keepAliveSeconds;
    /** Completes when the client is ready for the case (CONNACK for publishers, SUBACK for subscribers). */
    final CompletableFuture<Void> ready = new CompletableFuture<>();

    ChannelHandlerContext ctx;
    /** True: all packets through MqttEncoder; false: PUBLISH and acks pre-encoded (fast path). */
    final boolean nettyEncoder;
    /** The limits of the broker's CONNACK; set before {@link #onConnected()}. */
    ServerLimits limits;
    /**
     * A persistent session (durable subscriptions on a persistent broker): 3.1.1 cleanSession=false, 5.0 a Session
     * Expiry Interval.
     */
    boolean persistentSession;
    /** 5.0: CONNECT with Clean Start 0, to continue the broker's session of this client id. */
    boolean resumeSession;
    /** MQTT credentials, or null. */
    String username;
    String password;
    private ByteBuf pendingAcks;
    private ScheduledFuture<?> pingTask;
    private volatile boolean closing;
    private volatile String error;
    /** Short, run-independent name of the first failure, for counting failures by kind. */
    private volatile String failureKind;
    /** System.nanoTime() when the connect was started (set by {@link Connector}), 0 if not. */
    volatile long connectStartNanos;
    /** System.nanoTime() of the accepting CONNACK, 0 before. */
    private volatile long connAckNanos;
    private volatile boolean sessionPresent;

    BenchClient(String clientId, ProtocolVersion version, int keepAliveSeconds, boolean nettyEncoder) {
        this.clientId = clientId;
        this.version = version;
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
        FastPathEncoder.writeAck(pendingAcks, version.isV5(), type, packetId);
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

    /**
     * Why the client failed, in a form that is the same for all clients failing the same way; null
     * if none.
     */
    String failureKind() {
        return failureKind;
    }

    long connAckNanos() {
        return connAckNanos;
    }

    /** The Session Present flag of the accepting CONNACK (§3.2.2.2). */
    boolean sessionPresent() {
        return sessionPresent;
    }

    void fail(String message) {
        fail(message, message);
    }

    /**
     * Records the first failure, with {@code kind} for the per-kind counts, and fails
     * {@link #ready}.
     */
    void fail(String kind, String message) {
        if (error == null) {
            error = clientId + ": " + message;
            failureKind = kind;
        }
        ready.completeExceptionally(new IllegalStateException(error));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // always through MqttEncoder: it records the version in a channel attribute, and MqttDecoder then parses
        // the broker's packets in that version's form
        MqttMessage connect =
            version.connect(clientId, keepAliveSeconds, persistentSession, resumeSession, username,
                password);
        ctx.writeAndFlush(connect).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        ctx.fireChannelActive();
    }

    /** PINGREQ every half keep-alive; the server's Server Keep Alive wins [MQTT-3.2.2-21]; 0 means none. */
    private void startPing(ChannelHandlerContext ctx, int keepAlive) {
        if (keepAlive == 0) {
            return;
        }
        long period = Math.max(1, keepAlive / 2);
        pingTask = ctx.executor().scheduleAtFixedRate(
            () -> ctx.writeAndFlush(PINGREQ, ctx.voidPromise()), period, period, TimeUnit.SECONDS);
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
            fail(connAckNanos == 0 ? "closed by the broker before CONNACK" : "closed by the broker",
                "connection closed by the broker");
        }
        onInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!closing) {
            String what = cause.getClass().getSimpleName() + ": " + cause.getMessage();
            fail(what, what);
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
                    onConnAck(ctx, (MqttConnAckMessage) m);
                    break;
                case DISCONNECT:
                    onServerDisconnect(ctx, m);
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

    private void onConnAck(ChannelHandlerContext ctx, MqttConnAckMessage m) {
        MqttConnectReturnCode rc = m.variableHeader().connectReturnCode();
        ServerLimits l = ServerLimits.from(m.variableHeader().properties());
        if (rc != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
            String code = version.isV5() ? ReasonCodes.describe(rc.byteValue())
                : ReasonCodes.describeConnAck311(rc.byteValue());
            fail("CONNACK " + code, "CONNACK refused: " + code + " (" + rc + ")"
                + (l.reasonString == null ? "" : ", reason string '" + l.reasonString + "'"));
            ctx.close();
            return;
        }
        sessionPresent = m.variableHeader().isSessionPresent();
        connAckNanos = System.nanoTime();
        limits = l;
        startPing(ctx, l.serverKeepAlive >= 0 ? l.serverKeepAlive : keepAliveSeconds);
        onConnected();
    }

    /** A 5.0 server DISCONNECT (§3.14) always fails the case: the broker ended the connection. */
    private void onServerDisconnect(ChannelHandlerContext ctx, MqttMessage m) {
        String kind = "DISCONNECT";
        String reason = "";
        if (m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader) {
            MqttReasonCodeAndPropertiesVariableHeader h = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
            MqttProperties.MqttProperty<?> text =
                h.properties().getProperty(MqttProperties.MqttPropertyType.REASON_STRING.value());
            kind += " " + ReasonCodes.describe(h.reasonCode());
            reason = " with reason code " + ReasonCodes.describe(h.reasonCode())
                + (text == null ? "" : ", reason string '" + text.value() + "'");
        }
        fail(kind, "the broker sent DISCONNECT" + reason);
        ctx.close();
    }

    /**
     * Fails the case when a 5.0 PUBACK, PUBREC, PUBREL or PUBCOMP carries a reason code of 0x80 or more, and
     * closes the connection. Returns true when it did.
     */
    boolean failedByReasonCode(ChannelHandlerContext ctx, MqttMessage m) {
        int code = reasonCode(m);
        if (!ReasonCodes.isFailure(code)) {
            return false;
        }
        fail(m.fixedHeader().messageType() + " for packet id " + packetId(m) + " carried reason code "
            + ReasonCodes.describe(code));
        ctx.close();
        return true;
    }

    /** Sends DISCONNECT and closes; does not count as an error. Safe to call from any thread. */
    void disconnect() {
        disconnect(true);
    }

    /**
     * Sends DISCONNECT and closes. With {@code endSession} false a 5.0 persistent session is left
     * to its Session Expiry Interval (a DISCONNECT without properties); with true it ends now. Safe
     * to call from any thread.
     */
    void disconnect(boolean endSession) {
        closing = true;
        Channel ch = channel();
        if (ch == null) {
            return;
        }
        if (ch.isActive()) {
            ch.writeAndFlush(version.disconnect(persistentSession && endSession))
                .addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    /** The reason code of a PUBACK/PUBREC/PUBREL/PUBCOMP; 0x00 when it has none (3.1.1, or the 5.0 short form). */
    static int reasonCode(MqttMessage m) {
        Object h = m.variableHeader();
        return h instanceof MqttPubReplyMessageVariableHeader
            ? ((MqttPubReplyMessageVariableHeader) h).reasonCode() & 0xff : 0;
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

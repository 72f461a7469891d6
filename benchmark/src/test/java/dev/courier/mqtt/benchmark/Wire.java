package dev.courier.mqtt.benchmark;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;

import java.util.ArrayList;
import java.util.List;

/** Test plumbing: a client in an EmbeddedChannel with the production codec, hex in and out, a broker-side decoder. */
final class Wire {

    final EmbeddedChannel channel;
    /** Every byte the client has written so far, in order, for the broker-side decoder. */
    private final ByteBuf written = Unpooled.buffer();

    Wire(BenchClient client) {
        channel = new EmbeddedChannel(new MqttDecoder(), MqttEncoder.INSTANCE, client);
    }

    /** The bytes written since the last call, as lower-case hex without spaces. */
    String out() {
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        channel.runPendingTasks();
        while ((b = channel.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        written.writeBytes(all, all.readerIndex(), all.readableBytes());
        String hex = ByteBufUtil.hexDump(all);
        all.release();
        return hex;
    }

    /** Feeds broker bytes to the client (hex, spaces allowed). */
    void in(String hex) {
        channel.writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", ""))));
        channel.runPendingTasks();
    }

    /** Decodes everything the client wrote with a broker's MqttDecoder (which switches to 5.0 on a 5.0 CONNECT). */
    List<MqttMessage> decodedByBroker() {
        out();
        EmbeddedChannel broker = new EmbeddedChannel(new MqttDecoder());
        broker.writeInbound(written.retainedDuplicate());
        List<MqttMessage> messages = new ArrayList<>();
        MqttMessage m;
        while ((m = broker.readInbound()) != null) {
            messages.add(m);
        }
        broker.finishAndReleaseAll();
        return messages;
    }

    void close() {
        channel.finishAndReleaseAll();
        written.release();
    }

    static String hex(String spaced) {
        return spaced.replace(" ", "").toLowerCase(java.util.Locale.ROOT);
    }

    /** A valid benchmark payload of {@code size} bytes as hex. */
    static String payload(int size, int publisher, long seq, long nanos, byte phase) {
        ByteBuf b = Unpooled.buffer(size);
        Payload.write(b, size, publisher, seq, nanos, phase);
        String hex = ByteBufUtil.hexDump(b);
        b.release();
        return hex;
    }
}

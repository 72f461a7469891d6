package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 §3.3 PUBLISH from the fast path: the pre-encoded prefix, packet id, empty property block, payload. */
class PublishSection3_3Test {

    private static final String PAYLOAD = Wire.payload(Payload.HEADER_SIZE, 0, 7, 99, Payload.PHASE_MEASURE);

    @Test
    void whenV5Qos1_thenPacketIdThenPropertyLengthZero() {
        // Remaining Length 31 = topic 3 + packet id 2 + Property Length 1 + payload 25
        assertEquals(Wire.hex("32 1f 0001 74 0005 00") + PAYLOAD, encode(ProtocolVersion.V5, 1, 5));
    }

    @Test
    void whenV5Qos0_thenNoPacketIdButPropertyLength() {
        assertEquals(Wire.hex("30 1d 0001 74 00") + PAYLOAD, encode(ProtocolVersion.V5, 0, 0));
    }

    @Test
    void whenV311Qos2_thenNoPropertyBlock() {
        assertEquals(Wire.hex("34 1e 0001 74 fffe") + PAYLOAD, encode(ProtocolVersion.V3_1_1, 2, 65534));
    }

    @Test
    void whenRemainingLengthAbove127_thenTwoByteVariableByteInteger() {
        FastPathEncoder e = new FastPathEncoder(ProtocolVersion.V5, "t", 1, 200);
        ByteBuf b = Unpooled.buffer();
        e.writePublish(b, 1, 0, 0, 0, Payload.PHASE_MEASURE);
        // 2 + 1 + 2 + 1 + 200 = 206 = 0xce -> 0xce 0x01 (§1.5.5)
        assertEquals("32ce01", ByteBufUtil.hexDump(b, 0, 3));
        assertEquals(e.packetSize(), b.readableBytes());
        assertEquals(209, e.packetSize());
        b.release();
    }

    @Test
    void whenV5_thenFastPathBytesEqualMqttEncoderBytes() throws Exception {
        for (int qos = 0; qos <= 2; qos++) {
            assertEquals(published(ProtocolVersion.V5, qos, true), published(ProtocolVersion.V5, qos, false),
                "QoS " + qos);
        }
    }

    @Test
    void whenV5PublishesGathered_thenMqttDecoderReadsEachWithEmptyProperties() throws Exception {
        PublisherClient p = Clients.publisher(ProtocolVersion.V5, 1, 100, 4, new LongAdder(), false);
        Wire w = new Wire(p);
        w.in("20 03 00 00 00");
        start(p, w);
        List<MqttPublishMessage> publishes = new ArrayList<>();
        for (MqttMessage m : w.decodedByBroker()) {
            assertTrue(m.decoderResult().isSuccess(), String.valueOf(m.decoderResult()));
            if (m instanceof MqttPublishMessage) {
                publishes.add((MqttPublishMessage) m);
            }
        }
        assertEquals(4, publishes.size());
        for (int i = 0; i < 4; i++) {
            MqttPublishMessage m = publishes.get(i);
            assertEquals("t", m.variableHeader().topicName());
            assertEquals(i + 1, m.variableHeader().packetId());
            assertTrue(m.variableHeader().properties().isEmpty());
            assertEquals(100, m.payload().readableBytes());
            assertEquals(i, Payload.sequence(m.payload()));
            m.release();
        }
        w.close();
    }

    private static String encode(ProtocolVersion v, int qos, int id) {
        FastPathEncoder e = new FastPathEncoder(v, "t", qos, Payload.HEADER_SIZE);
        ByteBuf b = Unpooled.buffer();
        e.writePublish(b, id, 0, 7, 99, Payload.PHASE_MEASURE);
        assertEquals(e.packetSize(), b.readableBytes());
        String hex = ByteBufUtil.hexDump(b);
        b.release();
        return hex;
    }

    /** The first PUBLISH a publisher writes, through the fast path or MqttEncoder, as hex. */
    private static String published(ProtocolVersion v, int qos, boolean nettyEncoder) throws Exception {
        PublisherClient p = Clients.publisher(v, qos, Payload.HEADER_SIZE, 1, new LongAdder(), nettyEncoder);
        Wire w = new Wire(p);
        w.out();
        w.in("20 03 00 00 00");
        CountDownLatch done = new CountDownLatch(1);
        p.startPhase(Payload.PHASE_MEASURE, System.nanoTime() + TimeUnit.MINUTES.toNanos(1), 1, 0, done);
        w.channel.runPendingTasks();
        String hex = w.out();
        w.close();
        assertEquals(0, done.getCount());
        // mask the payload's write timestamp (payload bytes 16-23), the only part that differs between two runs
        int ts = 2 * (1 + 1 + 3 + (qos > 0 ? 2 : 0) + 1 + 16);
        return hex.substring(0, ts) + "0".repeat(16) + hex.substring(ts + 16);
    }

    private static void start(PublisherClient p, Wire w) {
        CountDownLatch done = new CountDownLatch(1);
        p.startPhase(Payload.PHASE_MEASURE, System.nanoTime() + TimeUnit.MINUTES.toNanos(1), Long.MAX_VALUE, 0, done);
        w.channel.runPendingTasks();
    }

}

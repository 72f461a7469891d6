package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 §3.4 PUBACK, §3.5 PUBREC, §3.6 PUBREL, §3.7 PUBCOMP: written in full form, reason codes read. */
class PublishAcksSection3_4To3_7Test {

    private static final String PAYLOAD = Wire.payload(Payload.HEADER_SIZE, 0, 0, 1, Payload.PHASE_MEASURE);

    @Test
    void whenV5_thenEachAckCarriesReasonCodeAndPropertyLength() {
        assertEquals("40040007" + "0000", ack(true, MqttMessageType.PUBACK, 7));
        assertEquals("50040007" + "0000", ack(true, MqttMessageType.PUBREC, 7));
        assertEquals("62040007" + "0000", ack(true, MqttMessageType.PUBREL, 7));   // flags 0010 (§3.6.1)
        assertEquals("7004ffff" + "0000", ack(true, MqttMessageType.PUBCOMP, 65535));
    }

    @Test
    void whenV311_thenPacketIdOnly() {
        assertEquals("40020007", ack(false, MqttMessageType.PUBACK, 7));
        assertEquals("62020007", ack(false, MqttMessageType.PUBREL, 7));
    }

    @Test
    void whenV5SubscriberGetsQos2_thenPubRecAndPubCompInFullForm_andMqttDecoderReadsThem() {
        SubscriberClient s = Clients.subscriber(ProtocolVersion.V5, 2);
        Wire w = new Wire(s);
        w.in("20 03 00 00 00");
        w.out();
        w.in("90 04 0001 00 02");             // SUBACK: Granted QoS 2
        w.in("34 1f 0001 74 0009 00" + PAYLOAD);
        assertEquals("500400090000", w.out());
        w.in("62 04 0009 00 00");
        assertEquals("700400090000", w.out());
        List<MqttMessage> decoded = w.decodedByBroker();
        MqttMessage pubrec = decoded.get(decoded.size() - 2);
        assertEquals(MqttMessageType.PUBREC, pubrec.fixedHeader().messageType());
        MqttPubReplyMessageVariableHeader h = (MqttPubReplyMessageVariableHeader) pubrec.variableHeader();
        assertEquals(9, h.messageId());
        assertEquals(0, h.reasonCode());
        assertEquals(MqttMessageType.PUBCOMP, decoded.get(decoded.size() - 1).fixedHeader().messageType());
        assertNull(s.error());
        w.close();
    }

    @Test
    void whenPubAckReasonCodeBelow0x80_thenSuccess() throws Exception {
        LongAdder acks = new LongAdder();
        PublisherClient p = publishing(acks, 1);
        Wire w = wire(p);
        w.in("40 04 0001 10 00");             // 0x10 No matching subscribers: not a failure
        assertNull(p.error());
        assertEquals(1, acks.sum());
        w.close();
    }

    @Test
    void whenPubAckReasonCodeNotAuthorized_thenCaseFailsAndConnectionCloses() throws Exception {
        LongAdder acks = new LongAdder();
        PublisherClient p = publishing(acks, 1);
        Wire w = wire(p);
        w.in("40 04 0001 87 00");
        assertEquals("c1: PUBACK for packet id 1 carried reason code 0x87 Not authorized", p.error());
        assertEquals(0, acks.sum());
        assertFalse(w.channel.isActive());
        w.close();
    }

    @Test
    void whenPubCompPacketIdNotFound_thenCaseFails() throws Exception {
        PublisherClient p = publishing(new LongAdder(), 2);
        Wire w = wire(p);
        w.in("50 02 0001");
        w.in("70 04 0001 92 00");
        assertTrue(p.error().contains("PUBCOMP for packet id 1 carried reason code 0x92 Packet Identifier not found"),
            p.error());
        w.close();
    }

    @Test
    void whenSubscriberGetsPubRelWithFailure_thenCaseFails() {
        SubscriberClient s = Clients.subscriber(ProtocolVersion.V5, 2);
        Wire w = new Wire(s);
        w.in("20 03 00 00 00");
        w.in("90 04 0001 00 02");
        w.in("62 04 0003 92 00");
        assertTrue(s.error().contains("PUBREL for packet id 3 carried reason code 0x92"), s.error());
        w.close();
    }

    private PublisherClient client;
    private Wire wire;

    private PublisherClient publishing(LongAdder acks, int qos) {
        client = Clients.publisher(ProtocolVersion.V5, qos, 1, acks);
        wire = new Wire(client);
        wire.in("20 03 00 00 00");
        CountDownLatch done = new CountDownLatch(1);
        client.startPhase(Payload.PHASE_MEASURE, System.nanoTime() + TimeUnit.MINUTES.toNanos(1), 1, 0, done);
        wire.channel.runPendingTasks();
        return client;
    }

    private Wire wire(PublisherClient p) {
        assertEquals(client, p);
        return wire;
    }

    private static String ack(boolean v5, MqttMessageType type, int id) {
        ByteBuf b = Unpooled.buffer();
        FastPathEncoder.writeAck(b, v5, type, id);
        assertEquals(FastPathEncoder.ackSize(v5), b.readableBytes());
        String hex = ByteBufUtil.hexDump(b);
        b.release();
        return hex;
    }
}

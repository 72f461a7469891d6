package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 §4.9 flow control: never more QoS 1/2 PUBLISHes unacknowledged than the server's Receive Maximum. */
class ReceiveMaximumSection4_9Test {

    @Test
    void whenServerReceiveMaximumBelowInflight_thenQuotaIsReceiveMaximum() {
        SendQuota q = new SendQuota(64);
        q.serverReceiveMaximum(2);
        assertEquals(2, q.limit());
        assertTrue(q.tryAcquire());
        assertTrue(q.tryAcquire());
        assertFalse(q.tryAcquire());
        q.release();
        assertTrue(q.hasRoom());
        assertTrue(q.tryAcquire());
        assertEquals(2, q.inUse());
    }

    @Test
    void whenInflightBelowReceiveMaximum_thenInflightWins() {
        SendQuota q = new SendQuota(8);
        q.serverReceiveMaximum(100);
        assertEquals(8, q.limit());
    }

    @Test
    void whenReleasedMoreThanTaken_thenFails() {
        SendQuota q = new SendQuota(1);
        assertThrows(IllegalStateException.class, q::release);
        assertThrows(IllegalArgumentException.class, () -> q.serverReceiveMaximum(0));
    }

    @Test
    void whenPublishingQos1_thenOnlyReceiveMaximumInFlightAndEachPubAckFreesOne() throws Exception {
        LongAdder acks = new LongAdder();
        PublisherClient p = Clients.publisher(ProtocolVersion.V5, 1, 64, acks);
        Wire w = new Wire(p);
        w.in("20 06 00 00 03 21 0003");       // Receive Maximum 3
        start(p, w);
        assertEquals(3, publishes(w), "PUBLISHes before any PUBACK");
        assertEquals(3, p.inflight());
        w.in("40 04 0001 00 00");             // PUBACK id 1, Success
        assertEquals(4, publishes(w));
        w.in("40 02 0002");                   // PUBACK short form
        assertEquals(5, publishes(w));
        assertEquals(2, acks.sum());
        w.close();
    }

    @Test
    void whenPublishingQos2_thenPubRecKeepsQuotaAndPubCompFreesIt() throws Exception {
        PublisherClient p = Clients.publisher(ProtocolVersion.V5, 2, 64, new LongAdder());
        Wire w = new Wire(p);
        w.in("20 06 00 00 03 21 0002");       // Receive Maximum 2
        start(p, w);
        assertEquals(2, publishes(w));
        w.in("50 04 0001 00 00");             // PUBREC: still in flight until PUBCOMP
        assertEquals(2, publishes(w));
        w.in("70 04 0001 00 00");             // PUBCOMP frees one
        assertEquals(3, publishes(w));
        w.in("50 04 0002 80 00");             // PUBREC 0x80 also ends the flow, and fails the case
        assertTrue(p.error().contains("PUBREC for packet id 2 carried reason code 0x80 Unspecified error"),
            p.error());
        assertEquals(1, p.inflight());
        w.close();
    }

    @Test
    void whenV311_thenInflightOptionAlone() throws Exception {
        PublisherClient p = Clients.publisher(ProtocolVersion.V3_1_1, 1, 5, new LongAdder());
        Wire w = new Wire(p);
        w.in("20 02 00 00");
        start(p, w);
        assertEquals(5, publishes(w));
        w.close();
    }

    private static void start(PublisherClient p, Wire w) throws InterruptedException {
        assertTrue(p.ready.isDone() && !p.ready.isCompletedExceptionally(), String.valueOf(p.error()));
        CountDownLatch done = new CountDownLatch(1);
        p.startPhase(Payload.PHASE_MEASURE, System.nanoTime() + TimeUnit.MINUTES.toNanos(1), Long.MAX_VALUE, 0, done);
        w.channel.runPendingTasks();
    }

    /** How many PUBLISH packets the client has written in total. */
    private static long publishes(Wire w) {
        long n = 0;
        for (MqttMessage m : w.decodedByBroker()) {
            if (m.fixedHeader().messageType() == MqttMessageType.PUBLISH) {
                n++;
            }
            io.netty.util.ReferenceCountUtil.release(m);
        }
        return n;
    }
}

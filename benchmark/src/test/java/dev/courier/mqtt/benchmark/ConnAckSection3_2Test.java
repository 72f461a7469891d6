package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 §3.2 CONNACK: reason code and the properties the generator honours. */
class ConnAckSection3_2Test {

    @Test
    void whenPropertiesPresent_thenLimitsTakeThem() {
        PublisherClient p = Clients.publisher(ProtocolVersion.V5, 1, 64, new LongAdder());
        Wire w = new Wire(p);
        w.out();
        // Property Length 13: Receive Maximum 3, Maximum Packet Size 1000, Server Keep Alive 20, Maximum QoS 1
        w.in("20 10 00 00 0d 21 0003 27 000003e8 13 0014 24 01");
        assertTrue(p.ready.isDone() && !p.ready.isCompletedExceptionally(), String.valueOf(p.error()));
        assertEquals(3, p.limits.receiveMaximum);
        assertEquals(1000, p.limits.maximumPacketSize);
        assertEquals(20, p.limits.serverKeepAlive);
        assertEquals(1, p.limits.maximumQos);
        w.close();
    }

    @Test
    void whenNoProperties_thenDefaults() {
        PublisherClient p = Clients.publisher(ProtocolVersion.V5, 2, 64, new LongAdder());
        Wire w = new Wire(p);
        w.out();
        w.in("20 03 00 00 00");
        assertNull(p.error());
        assertEquals(SendQuota.DEFAULT_RECEIVE_MAXIMUM, p.limits.receiveMaximum);
        assertEquals(ServerLimits.NO_PACKET_SIZE_LIMIT, p.limits.maximumPacketSize);
        assertEquals(2, p.limits.maximumQos);
        assertEquals(-1, p.limits.serverKeepAlive);
        w.close();
    }

    @Test
    void whenMaximumPacketSizeBelowPublish_thenCaseFailsWithClearMessage() {
        PublisherClient p = Clients.publisher(ProtocolVersion.V5, 1, 64, new LongAdder());
        Wire w = new Wire(p);
        w.out();
        w.in("20 08 00 00 05 27 00000010");   // Maximum Packet Size 16; a PUBLISH here is 33 bytes
        assertTrue(p.ready.isCompletedExceptionally());
        assertTrue(p.error().contains("Maximum Packet Size is 16 bytes but a PUBLISH of this case is 33 bytes"),
            p.error());
        assertFalse(w.channel.isActive());
        w.close();
    }

    @Test
    void whenMaximumQosBelowCase_thenCaseFails() {
        PublisherClient p = Clients.publisher(ProtocolVersion.V5, 2, 64, new LongAdder());
        Wire w = new Wire(p);
        w.out();
        w.in("20 05 00 00 02 24 01");
        assertTrue(p.error().contains("Maximum QoS is 1: a QoS 2 case cannot run"), p.error());
        w.close();
    }

    @Test
    void whenRefusedWithReasonCode_thenErrorNamesCodeAndReasonString() {
        PublisherClient p = Clients.publisher(ProtocolVersion.V5, 1, 64, new LongAdder());
        Wire w = new Wire(p);
        w.out();
        w.in("20 09 00 87 06 1f 0003 616370");  // 0x87 Not authorized, Reason String "acp"
        assertTrue(p.error().contains("CONNACK refused: 0x87 Not authorized"), p.error());
        assertTrue(p.error().contains("reason string 'acp'"), p.error());
        assertFalse(w.channel.isActive());
        w.close();
    }
}

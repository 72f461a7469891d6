package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** The connection scenarios' client: session resumption, Session Present, counting its messages. */
class SessionClientTest {

    @Test
    void whenV5Resuming_thenCleanStart0WithSessionExpiry() {
        SessionClient c = new SessionClient("c1", ProtocolVersion.V5, 60, 0, null, 1, null);
        c.persistentSession = true;
        c.resumeSession = true;
        Wire w = new Wire(c);
        MqttConnectMessage connect = (MqttConnectMessage) w.decodedByBroker().get(0);
        assertFalse(connect.variableHeader().isCleanSession(), "Clean Start 0 [MQTT-3.1.2-5]");
        assertEquals(ProtocolVersion.PERSISTENT_SESSION_EXPIRY_SECONDS, connect.variableHeader()
            .properties().getProperty(0x11).value());
        w.close();
    }

    @Test
    void whenConnAckWithoutSessionPresent_thenReadyButSessionNotPresent() {
        SessionClient c = new SessionClient("c1", ProtocolVersion.V3_1_1, 60, 0, null, 1, null);
        c.persistentSession = true;
        Wire w = new Wire(c);
        assertEquals(Wire.hex("10 0e 0004 4d515454 04 00 003c 0002 6331"), w.out());
        w.in("20 02 00 00");
        assertTrue(c.isReady());
        assertFalse(c.sessionPresent());
        w.close();
        SessionClient resumed =
            new SessionClient("c1", ProtocolVersion.V3_1_1, 60, 0, null, 1, null);
        Wire w2 = new Wire(resumed);
        w2.in("20 02 01 00");
        assertTrue(resumed.sessionPresent());
        w2.close();
    }

    @Test
    void whenQueuedMessagesArrive_thenOwnCountedOnceOthersForeignAndEachPubAcked() {
        LongAdder unique = new LongAdder();
        SessionClient c = new SessionClient("c1", ProtocolVersion.V3_1_1, 60, 7, null, 2, unique);
        Wire w = new Wire(c);
        w.in("20 02 01 00");
        w.out();
        w.in(publishQos1(1, 7, 0));
        w.in(publishQos1(2, 7, 0));     // a redelivery: counted, but not as unique
        w.in(publishQos1(3, 8, 1));     // another client's message
        w.in(publishQos1(4, 7, 2));     // beyond the expected sequence numbers
        w.in(publishQos1(5, 7, 1));
        assertEquals(Wire.hex("4002 0001 4002 0002 4002 0003 4002 0004 4002 0005"), w.out());
        assertEquals(3, c.received());
        assertEquals(2, c.unique());
        assertEquals(2, unique.sum());
        assertEquals(2, c.foreign());
        w.close();
    }

    @Test
    void whenV311ConnAckRefuses_thenFailureKindNamesTheReturnCode() {
        SessionClient c = new SessionClient("c1", ProtocolVersion.V3_1_1, 60, 0, null, 0, null);
        Wire w = new Wire(c);
        w.in("20 02 00 05");
        assertFalse(c.isReady());
        assertEquals("CONNACK 0x05 Not authorized", c.failureKind());
        w.close();
    }

    @Test
    void whenSubscribing_thenReadyOnlyOnGrantedSubAck() {
        SessionClient c = new SessionClient("c1", ProtocolVersion.V3_1_1, 60, 0, "t/0", 0, null);
        Wire w = new Wire(c);
        w.in("20 02 00 00");
        assertFalse(c.ready.isDone(), "waits for SUBACK");
        w.in("90 03 0001 80");
        assertEquals("SUBACK 0x80 Unspecified error", c.failureKind());
        w.close();
        SessionClient ok = new SessionClient("c2", ProtocolVersion.V3_1_1, 60, 0, "t/0", 0, null);
        Wire w2 = new Wire(ok);
        w2.in("20 02 00 00");
        w2.in("90 03 0001 01");
        assertTrue(ok.isReady());
        assertEquals(1, ok.grantedQos());
        w2.close();
    }

    /** A 3.1.1 QoS 1 PUBLISH on topic "t" with a benchmark payload for client {@code index}. */
    private static String publishQos1(int packetId, int index, long seq) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x32);
        b.writeByte(2 + 1 + 2 + Payload.HEADER_SIZE);
        b.writeShort(1);
        b.writeByte('t');
        b.writeShort(packetId);
        Payload.write(b, Payload.HEADER_SIZE, index, seq, 0, Payload.PHASE_MEASURE);
        String hex = ByteBufUtil.hexDump(b);
        b.release();
        return hex;
    }
}

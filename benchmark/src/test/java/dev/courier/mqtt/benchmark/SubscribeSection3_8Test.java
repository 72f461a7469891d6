package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 §3.8 SUBSCRIBE as written, and §3.9 SUBACK reason codes as read. */
class SubscribeSection3_8Test {

    @Test
    void whenV5_thenPropertyLengthZeroAndOptionsByteIsQos() {
        Wire w = new Wire(Clients.subscriber(ProtocolVersion.V5, 1));
        w.out();
        w.in("20 03 00 00 00");
        // packet id 1, Property Length 0, topic filter "t", options 0x01
        assertEquals(Wire.hex("82 07 0001 00 0001 74 01"), w.out());
        MqttSubscribeMessage sub = (MqttSubscribeMessage) w.decodedByBroker().get(1);
        List<MqttTopicSubscription> topics = sub.payload().topicSubscriptions();
        assertEquals("t", topics.get(0).topicName());
        assertEquals(1, topics.get(0).option().qos().value());
        assertFalse(topics.get(0).option().isNoLocal());
        w.close();
    }

    @Test
    void whenV311_thenNoPropertyLength() {
        Wire w = new Wire(Clients.subscriber(ProtocolVersion.V3_1_1, 2));
        w.out();
        w.in("20 02 00 00");
        assertEquals(Wire.hex("82 06 0001 0001 74 02"), w.out());
        w.close();
    }

    @Test
    void whenSubAckGrantsQos_thenReady() {
        SubscriberClient s = Clients.subscriber(ProtocolVersion.V5, 1);
        Wire w = new Wire(s);
        w.in("20 03 00 00 00");
        w.in("90 04 0001 00 01");
        assertTrue(s.ready.isDone() && !s.ready.isCompletedExceptionally());
        assertNull(s.error());
        w.close();
    }

    @Test
    void whenSubAckReasonCodeNotAuthorized_thenCaseFailsNamingIt() {
        SubscriberClient s = Clients.subscriber(ProtocolVersion.V5, 1);
        Wire w = new Wire(s);
        w.in("20 03 00 00 00");
        w.in("90 04 0001 00 87");
        assertTrue(s.ready.isCompletedExceptionally());
        assertEquals("c1: SUBSCRIBE to 't' refused with reason code 0x87 Not authorized", s.error());
        assertFalse(w.channel.isActive());
        w.close();
    }

    @Test
    void whenV311SubAckFailure_thenCaseFails() {
        SubscriberClient s = Clients.subscriber(ProtocolVersion.V3_1_1, 1);
        Wire w = new Wire(s);
        w.in("20 02 00 00");
        w.in("90 03 0001 80");
        assertEquals("c1: SUBSCRIBE to 't' refused with return code 0x80 Unspecified error", s.error());
        w.close();
    }
}

package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 §3.14 DISCONNECT, both directions. */
class DisconnectSection3_14Test {

    @Test
    void whenV5ClientDisconnects_thenTwoBytesMeaningNormalDisconnection() {
        PublisherClient p = Clients.publisher(ProtocolVersion.V5, 0, 64, new LongAdder());
        Wire w = new Wire(p);
        w.in("20 03 00 00 00");
        w.out();
        p.disconnect();
        assertEquals("e000", w.out());
        w.close();
    }

    @Test
    void whenV5PersistentSubscriberDisconnects_thenSessionExpiryZeroEndsTheSession() {
        SubscriberClient s = Clients.subscriber(ProtocolVersion.V5, 1);
        s.persistentSession = true;
        Wire w = new Wire(s);
        w.in("20 03 00 00 00");
        w.out();
        s.disconnect();
        // Reason Code 0x00, Property Length 5, Session Expiry Interval (0x11) 0
        assertEquals(Wire.hex("e0 07 00 05 11 00000000"), w.out());
        List<MqttMessage> decoded = w.decodedByBroker();
        MqttMessage d = decoded.get(decoded.size() - 1);
        assertEquals(MqttMessageType.DISCONNECT, d.fixedHeader().messageType());
        MqttReasonCodeAndPropertiesVariableHeader h = (MqttReasonCodeAndPropertiesVariableHeader) d.variableHeader();
        assertEquals(0, h.reasonCode());
        assertEquals(0, h.properties().getProperty(
            MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value()).value());
        assertEquals(null, s.error(), "a disconnect of our own is no error");
        w.close();
    }

    @Test
    void whenServerDisconnects_thenCaseFailsWithReasonCodeAndString() {
        SubscriberClient s = Clients.subscriber(ProtocolVersion.V5, 1);
        Wire w = new Wire(s);
        w.in("20 03 00 00 00");
        w.in("90 04 0001 00 01");
        // 0x8B Server shutting down, Reason String "going down"
        w.in("e0 0f 8b 0d 1f 000a 676f696e6720646f776e");
        assertEquals("c1: the broker sent DISCONNECT with reason code 0x8B Server shutting down,"
            + " reason string 'going down'", s.error());
        assertFalse(w.channel.isActive());
        w.close();
    }
}

package dev.courier.mqtt.benchmark;

/**
 * MQTT 5.0 reason codes (§2.4) as text for error messages. A code of 0x80 or more is a failure; the generator
 * fails the case on any such code in a CONNACK, SUBACK, PUBACK, PUBREC, PUBREL or PUBCOMP, and on any server
 * DISCONNECT.
 */
final class ReasonCodes {

    private ReasonCodes() {
    }

    static boolean isFailure(int code) {
        return (code & 0xff) >= 0x80;
    }

    /** "0x87 Not authorized"; codes below 0x80 mean different things per packet and are shown as hex only. */
    static String describe(int code) {
        int c = code & 0xff;
        String name = name(c);
        String hex = String.format("0x%02X", c);
        return name == null ? hex : hex + " " + name;
    }

    /** A 3.1.1 CONNACK return code (§3.2.2.3 of 3.1.1): "0x05 Not authorized". */
    static String describeConnAck311(int code) {
        int c = code & 0xff;
        String hex = String.format("0x%02X", c);
        switch (c) {
            case 0x01: return hex + " Unacceptable protocol version";
            case 0x02: return hex + " Identifier rejected";
            case 0x03: return hex + " Server unavailable";
            case 0x04: return hex + " Bad user name or password";
            case 0x05: return hex + " Not authorized";
            default: return hex;
        }
    }

    private static String name(int c) {
        switch (c) {
            case 0x80: return "Unspecified error";
            case 0x81: return "Malformed Packet";
            case 0x82: return "Protocol Error";
            case 0x83: return "Implementation specific error";
            case 0x84: return "Unsupported Protocol Version";
            case 0x85: return "Client Identifier not valid";
            case 0x86: return "Bad User Name or Password";
            case 0x87: return "Not authorized";
            case 0x88: return "Server unavailable";
            case 0x89: return "Server busy";
            case 0x8A: return "Banned";
            case 0x8B: return "Server shutting down";
            case 0x8C: return "Bad authentication method";
            case 0x8D: return "Keep Alive timeout";
            case 0x8E: return "Session taken over";
            case 0x8F: return "Topic Filter invalid";
            case 0x90: return "Topic Name invalid";
            case 0x91: return "Packet Identifier in use";
            case 0x92: return "Packet Identifier not found";
            case 0x93: return "Receive Maximum exceeded";
            case 0x94: return "Topic Alias invalid";
            case 0x95: return "Packet too large";
            case 0x96: return "Message rate too high";
            case 0x97: return "Quota exceeded";
            case 0x98: return "Administrative action";
            case 0x99: return "Payload format invalid";
            case 0x9A: return "Retain not supported";
            case 0x9B: return "QoS not supported";
            case 0x9C: return "Use another server";
            case 0x9D: return "Server moved";
            case 0x9E: return "Shared Subscriptions not supported";
            case 0x9F: return "Connection rate exceeded";
            case 0xA0: return "Maximum connect time";
            case 0xA1: return "Subscription Identifiers not supported";
            case 0xA2: return "Wildcard Subscriptions not supported";
            default: return null;
        }
    }
}

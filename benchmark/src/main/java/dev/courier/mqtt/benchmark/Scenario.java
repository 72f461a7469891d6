package dev.courier.mqtt.benchmark;

import java.util.Locale;

/** The three traffic shapes. All clients of a case use one topic; every subscriber gets every message. */
public enum Scenario {
    ONE_TO_ONE("one-to-one", "o"),
    FAN_IN("fan-in", "i"),
    FAN_OUT("fan-out", "u");

    private final String label;
    private final String code;

    Scenario(String label, String code) {
        this.label = label;
        this.code = code;
    }

    public String label() {
        return label;
    }

    /** One-letter code used in client ids and topics. */
    public String code() {
        return code;
    }

    public int publishers(int width) {
        return this == FAN_IN ? width : 1;
    }

    public int subscribers(int width) {
        return this == FAN_OUT ? width : 1;
    }

    public static Scenario parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace("_", "-");
        switch (k) {
            case "one-to-one":
            case "onetoone":
            case "1to1":
            case "1-1":
            case "p2p":
                return ONE_TO_ONE;
            case "fan-in":
            case "fanin":
                return FAN_IN;
            case "fan-out":
            case "fanout":
                return FAN_OUT;
            default:
                throw new IllegalArgumentException("unknown scenario '" + s + "' (one-to-one, fan-in, fan-out)");
        }
    }
}

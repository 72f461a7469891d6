package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The generator's own limits, from the forms Linux prints them in. */
class LocalLimitsTest {

    @Test
    void whenProcLimits_thenSoftLimitOfOpenFiles() {
        String limits = String.join("\n",
            "Limit                     Soft Limit           Hard Limit           Units     ",
            "Max processes             unlimited            unlimited            processes ",
            "Max open files            20000                20000                files     ",
            "Max locked memory         8388608              8388608              bytes     ");
        assertEquals(20_000, LocalLimits.parseOpenFilesSoftLimit(limits));
        assertEquals(-1, LocalLimits.parseOpenFilesSoftLimit(
            "Max open files            unlimited            unlimited            files"));
        assertEquals(-1, LocalLimits.parseOpenFilesSoftLimit("Max processes 1 1 processes"));
    }

    @Test
    void whenPortRange_thenItsSize() {
        assertEquals(28_232, LocalLimits.parsePortRangeSize("32768\t60999\n"));
        assertEquals(1, LocalLimits.parsePortRangeSize("40000 40000"));
    }
}

package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void emptyHistogramReportsZeros() {
        LatencyHistogram h = new LatencyHistogram();
        assertEquals(0, h.count());
        assertEquals(0, h.percentile(50));
        assertEquals(0, h.max());
    }

    @Test
    void smallValuesAreExact() {
        LatencyHistogram h = new LatencyHistogram();
        for (int v = 1; v <= 100; v++) {
            h.record(v);
        }
        assertEquals(50, h.percentile(50));
        assertEquals(99, h.percentile(99));
        assertEquals(100, h.percentile(100));
        assertEquals(100, h.max());
        assertEquals(1, h.min());
        assertEquals(50.5, h.mean(), 1e-9);
    }

    @Test
    void bucketsAreContiguousAndMonotonic() {
        long previousUpper = -1;
        for (int i = 0; LatencyHistogram.lowerBound(i) >= 0 && i < 3700; i++) {
            assertEquals(previousUpper + 1, LatencyHistogram.lowerBound(i), "bucket " + i);
            assertTrue(LatencyHistogram.upperBound(i) >= LatencyHistogram.lowerBound(i));
            assertEquals(i, LatencyHistogram.indexOf(LatencyHistogram.lowerBound(i)));
            assertEquals(i, LatencyHistogram.indexOf(LatencyHistogram.upperBound(i)));
            previousUpper = LatencyHistogram.upperBound(i);
        }
        assertTrue(LatencyHistogram.indexOf(Long.MAX_VALUE) >= 0);
    }

    @Test
    void percentilesMatchSortedValuesWithinBucketPrecision() {
        Random rnd = new Random(42);
        long[] values = new long[100_000];
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < values.length; i++) {
            // log-uniform between 1 us and 5 s
            values[i] = (long) Math.exp(Math.log(1_000) + rnd.nextDouble() * (Math.log(5e9) - Math.log(1_000)));
            h.record(values[i]);
        }
        Arrays.sort(values);
        for (double p : new double[] {50, 90, 99, 99.9}) {
            long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
            long approx = h.percentile(p);
            assertTrue(approx >= exact, p + ": " + approx + " < " + exact);
            assertTrue(approx <= exact + exact / 64 + 1, p + ": " + approx + " too far above " + exact);
        }
        assertEquals(values[values.length - 1], h.max());
        assertEquals(values[0], h.min());
    }

    @Test
    void mergeAddsCountsAndExtremes() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        for (int i = 0; i < 1000; i++) {
            a.record(1_000_000);        // 1 ms
        }
        for (int i = 0; i < 999; i++) {
            b.record(10_000_000);       // 10 ms
        }
        b.record(250_000_000);
        a.merge(b);
        assertEquals(2000, a.count());
        assertEquals(250_000_000, a.max());
        assertEquals(1_000_000, a.min());
        long p50 = a.percentile(50);
        assertTrue(p50 >= 1_000_000 && p50 <= 1_000_000 + 1_000_000 / 64, "p50 " + p50);
        long p99 = a.percentile(99);
        assertTrue(p99 >= 10_000_000 && p99 <= 10_000_000 + 10_000_000 / 64, "p99 " + p99);
    }

    @Test
    void negativeValuesCountAsZero() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(-5);
        assertEquals(1, h.count());
        assertEquals(0, h.max());
    }
}

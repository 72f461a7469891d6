package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SequenceTrackerTest {

    @Test
    void detectsDuplicatesAndGrows() {
        SequenceTracker t = new SequenceTracker(64);
        assertTrue(t.add(0));
        assertTrue(t.add(63));
        assertTrue(t.add(1_000_000));         // forces growth
        assertFalse(t.add(63));
        assertFalse(t.add(1_000_000));
        assertEquals(3, t.unique());
        assertTrue(t.contains(1_000_000));
        assertFalse(t.contains(999_999));
        assertFalse(t.contains(-1));
    }

    @Test
    void countsMissing() {
        SequenceTracker t = new SequenceTracker();
        for (long s = 0; s < 1000; s++) {
            if (s % 10 != 3) {
                t.add(s);
            }
        }
        assertEquals(100, t.missingBelow(1000));
        assertEquals(1, t.missingBelow(10));
        assertEquals(0, t.missingBelow(3));
        assertEquals(900, t.unique());
        // expected beyond what was ever stored
        assertEquals(100 + 5000, t.missingBelow(6000));
    }

    @Test
    void lossAndDuplicateArithmetic() {
        // what the subscriber does: received counts every delivery, unique the distinct ones
        SequenceTracker t = new SequenceTracker();
        long received = 0;
        long[] deliveries = {0, 1, 2, 2, 4, 5, 5, 5};
        for (long s : deliveries) {
            received++;
            t.add(s);
        }
        long expected = 7;                      // 0..6 were sent
        assertEquals(5, t.unique());
        assertEquals(2, expected - t.unique()); // lost: 3 and 6
        assertEquals(3, received - t.unique()); // duplicates: one 2, two 5
    }

    @Test
    void rejectsNegative() {
        assertThrows(IllegalArgumentException.class, () -> new SequenceTracker().add(-1));
    }
}

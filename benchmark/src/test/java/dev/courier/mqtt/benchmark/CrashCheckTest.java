package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrashCheckTest {

    @Test
    void everyAckedReceivedWithDuplicatesAndUnackedIsFine() {
        CrashCheck.Comparison c = CrashCheck.Comparison.of(
            List.of("# publish client-id=p topic=t", "1", "2", "3", "# sent=5 acked=3 failed=2 unresolved=0"),
            List.of("# drain client-id=s", "1", "2", "2", "3", "4", "", "# received=5 invalid=0 stop=idle"));
        assertEquals(5, c.sent);
        assertEquals(3, c.acked);
        assertEquals(5, c.received);
        assertEquals(4, c.distinct);
        assertEquals(1, c.duplicates());
        assertEquals(0, c.missing);
        assertEquals(1, c.unacked);      // 4 was stored but its PUBACK was lost in the crash: allowed
        assertFalse(c.lossy());
        assertEquals("sent=5 acked=3 received=5 (distinct 4, duplicates 1) missing=0 unacked-received=1",
            c.summary());
    }

    @Test
    void ackedButNotReceivedIsLoss() {
        CrashCheck.Comparison c = CrashCheck.Comparison.of(List.of("3", "1", "2", "10", "7"), List.of("2", "7"));
        assertEquals(-1, c.sent);        // no summary line: the publisher did not finish
        assertEquals(5, c.acked);
        assertEquals(3, c.missing);
        assertEquals(List.of(1L, 3L, 10L), c.missingSample);
        assertTrue(c.lossy());
        assertTrue(c.summary().startsWith("sent=unknown acked=5 received=2 (distinct 2, duplicates 0) missing=3"));
    }

    @Test
    void nothingAckedNothingLost() {
        CrashCheck.Comparison c = CrashCheck.Comparison.of(List.of("# sent=0 acked=0"), List.of());
        assertEquals(0, c.sent);
        assertEquals(0, c.acked);
        assertFalse(c.lossy());
    }

    @Test
    void rejectsGarbage() {
        assertThrows(IllegalArgumentException.class, () -> CrashCheck.Comparison.of(List.of("x1"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> CrashCheck.Comparison.of(List.of("1"), List.of("-1")));
    }

    @Test
    void compareCommandExitsOneOnLoss(@TempDir Path dir) throws IOException {
        Path acked = Files.writeString(dir.resolve("acked"), "1\n2\n3\n# sent=4 acked=3\n");
        Path complete = Files.writeString(dir.resolve("complete"), "3\n1\n2\n1\n");
        Path partial = Files.writeString(dir.resolve("partial"), "1\n3\n");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int ok = CrashCheck.run(new String[] {"compare", "--acked", acked.toString(), "--received",
            complete.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, ok);
        assertTrue(out.toString(StandardCharsets.UTF_8)
            .contains("sent=4 acked=3 received=4 (distinct 3, duplicates 1) missing=0"));

        out.reset();
        int lossy = CrashCheck.run(new String[] {"compare", "--acked", acked.toString(), "--received",
            partial.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(1, lossy);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("missing=1"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("first missing: [2]"));
    }

    @Test
    void badUsageExitsTwo() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, CrashCheck.run(new String[] {"compare", "--acked"}, sink, sink));
        assertEquals(2, CrashCheck.run(new String[] {"explode"}, sink, sink));
        assertEquals(2, CrashCheck.run(new String[] {"publish", "--port", "1"}, sink, sink));
    }
}

package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Parsing of /proc and jcmd output; the samples are real output of OpenJDK 17.0.15 on Linux. */
class BrokerProbeTest {

    /** {@code jcmd <pid> GC.heap_info} of a JDK 17 G1 JVM right after {@code jcmd <pid> GC.run}. */
    static final String G1_AFTER_GC = String.join("\n",
        "19410:",
        " garbage-first heap   total 57344K, used 5956K [0x0000000687400000, 0x0000000800000000)",
        "  region size 4096K, 0 young (0K), 0 survivors (0K)",
        " Metaspace       used 8908K, committed 9088K, reserved 1114112K",
        "  class space    used 1062K, committed 1152K, reserved 1048576K",
        "");

    static final String G1_BEFORE_GC = String.join("\n",
        "19410:",
        " garbage-first heap   total 397312K, used 17618K [0x0000000687400000, 0x0000000800000000)",
        "  region size 4096K, 4 young (16384K), 0 survivors (0K)",
        " Metaspace       used 8908K, committed 9088K, reserved 1114112K",
        "  class space    used 1062K, committed 1152K, reserved 1048576K",
        "");

    static final String PARALLEL = String.join("\n",
        "19765:",
        " PSYoungGen      total 113152K, used 17512K [0x0000000782700000, 0x000000078a500000, "
            + "0x0000000800000000)",
        "  eden space 97280K, 18% used [0x0000000782700000,0x000000078381a158,0x0000000788600000)",
        "  from space 15872K, 0% used [0x0000000789580000,0x0000000789580000,0x000000078a500000)",
        "  to   space 15872K, 0% used [0x0000000788600000,0x0000000788600000,0x0000000789580000)",
        " ParOldGen       total 258048K, used 2048K [0x0000000687400000, 0x0000000697000000, "
            + "0x0000000782700000)",
        "  object space 258048K, 0% used "
            + "[0x0000000687400000,0x0000000687400000,0x0000000697000000)",
        " Metaspace       used 8925K, committed 9088K, reserved 1114112K",
        "  class space    used 1062K, committed 1152K, reserved 1048576K");

    static final String SERIAL = String.join("\n",
        "19916:",
        " def new generation   total 116160K, used 18593K [0x0000000687400000, 0x000000068f200000, "
            + "0x0000000704d50000)",
        "  eden space 103296K,  18% used [0x0000000687400000, 0x0000000688628730, "
            + "0x000000068d8e0000)",
        "  from space 12864K,   0% used [0x000000068d8e0000, 0x000000068d8e0000, "
            + "0x000000068e570000)",
        "  to   space 12864K,   0% used [0x000000068e570000, 0x000000068e570000, "
            + "0x000000068f200000)",
        " tenured generation   total 258048K, used 0K [0x0000000704d50000, 0x0000000714950000, "
            + "0x0000000800000000)",
        "   the space 258048K,   0% used [0x0000000704d50000, 0x0000000704d50000, "
            + "0x0000000704d50200, 0x0000000714950000)",
        " Metaspace       used 8945K, committed 9088K, reserved 1114112K",
        "  class space    used 1062K, committed 1152K, reserved 1048576K");

    static final String ZGC = String.join("\n",
        "19953:",
        " ZHeap           used 52M, capacity 378M, max capacity 6028M",
        " Metaspace       used 8950K, committed 9088K, reserved 1114112K",
        "  class space    used 1062K, committed 1152K, reserved 1048576K");

    static final String SHENANDOAH = String.join("\n",
        "20076:",
        "Shenandoah Heap",
        " 6028M max, 6028M soft max, 378M committed, 20480K used",
        " 3014 x 2048K regions",
        "Status: not cancelled",
        "Reserved region:",
        " - [0x0000000687400000, 0x0000000800000000) ",
        "",
        " Metaspace       used 8949K, committed 9088K, reserved 1114112K",
        "  class space    used 1062K, committed 1152K, reserved 1048576K");

    @Test
    void whenG1HeapInfo_thenUsedOfTheHeapLineNotMetaspace() {
        assertEquals(5956L * 1024, BrokerProbe.parseHeapUsed(G1_AFTER_GC));
        assertEquals(17618L * 1024, BrokerProbe.parseHeapUsed(G1_BEFORE_GC));
    }

    @Test
    void whenGenerationalHeapInfo_thenYoungPlusOldWithoutTheirSpaces() {
        assertEquals((17512L + 2048) * 1024, BrokerProbe.parseHeapUsed(PARALLEL));
        assertEquals(18593L * 1024, BrokerProbe.parseHeapUsed(SERIAL));
    }

    @Test
    void whenZgcOrShenandoah_thenTheirFormsToo() {
        assertEquals(52L * 1024 * 1024, BrokerProbe.parseHeapUsed(ZGC));
        assertEquals(20480L * 1024, BrokerProbe.parseHeapUsed(SHENANDOAH));
    }

    @Test
    void whenJcmdPrintsNoFigure_thenFailsWithTheOutput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> BrokerProbe.parseHeapUsed(
                "4711:\ncom.sun.tools.attach.AttachNotSupportedException: "
                + "Unable to open socket file\n"));
        assertTrue(e.getMessage().contains("AttachNotSupportedException"), e.getMessage());
    }

    @Test
    void whenStatLine_thenUtimePlusStime() {
        // a JVM's line: utime 91, stime 9
        String stat = "19410 (java) S 19406 19406 2303 0 -1 4194304 15198 0 0 0 91 9 0 0 20 0 21 0 "
            + "205798 9190866944 16719 18446744073709551615 94884981702656 94884981703541 "
            + "140737328281104 0 0 0 0 2 16800973 0 0 0 17 0 0 0 0 0 0 94884981714240 "
            + "94884981714968 94885856043008 140737328286221 140737328286250 140737328286250 "
            + "140737328287722 0\n";
        assertEquals(100, BrokerProbe.parseCpuTicks(stat));
    }

    @Test
    void whenCommandNameHasSpacesAndParentheses_thenFieldsCountedAfterTheLastParenthesis() {
        String stat = "77 (a) b (c) R 1 77 77 0 -1 4194560 10 0 0 0 1234 567 0 0 20 0 1 0 100 "
            + "1000 10";
        assertEquals(1801, BrokerProbe.parseCpuTicks(stat));
        assertThrows(IllegalArgumentException.class,
            () -> BrokerProbe.parseCpuTicks("77 (short) R 1 2"));
    }

    @Test
    void whenStatus_thenVmRssInKib() {
        String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t   86972 kB\nVmRSS:\t   66868 "
            + "kB\n"
            + "RssAnon:\t   50000 kB\n";
        assertEquals(66868, BrokerProbe.parseRssKb(status));
        assertEquals(-1, BrokerProbe.parseRssKb("Name:\tkthreadd\nState:\tS (sleeping)\n"));
    }

    @Test
    void whenProbingThisJvm_thenCpuAdvancesAndHeapAndRssArePositive() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "Linux /proc only");
        BrokerProbe probe = BrokerProbe.of(ProcessHandle.current().pid());
        assertTrue(probe.isJvm());
        BrokerProbe.CpuSample before = probe.cpu();
        long wallDeadline = System.nanoTime() + 10_000_000_000L;
        double used = 0;
        while (used < 0.05 && System.nanoTime() - wallDeadline < 0) {
            used = probe.cpuSeconds(before,
                probe.cpu());       // reading /proc in a loop burns CPU too
        }
        assertTrue(used >= 0.05, "CPU time of this JVM advanced by " + used + " s");
        assertTrue(probe.rssKb() > 1000, "RSS of a JVM is more than a MB");
        assertTrue(probe.heapUsedAfterGc() > 0);
    }

    @Test
    void whenMapsLine_thenOnlyHotSpotsLibraryMarksAJvm() {
        assertTrue(BrokerProbe.mapsJvmLibrary("7f2a1c000000-7f2a1d0d2000 r-xp 00000000 08:01 1234 "
            + "                      /usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so"));
        assertFalse(BrokerProbe.mapsJvmLibrary("7f2a1c000000-7f2a1d0d2000 r-xp 00000000 08:01 99 "
            + "                      /usr/lib/x86_64-linux-gnu/libmosquitto.so.1"));
    }

    @Test
    void whenNotAJvm_thenNoHeapFigureAndTheProcessIsNotSignalled() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "Linux /proc only");
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            BrokerProbe probe = BrokerProbe.of(sleeper.pid());
            assertFalse(probe.isJvm());
            IOException e = assertThrows(IOException.class, probe::heapUsedAfterGc);
            assertTrue(e.getMessage().contains("is not a HotSpot JVM"), e.getMessage());
            assertTrue(sleeper.isAlive(), "jcmd would have sent SIGQUIT, which ends sleep");
            assertTrue(probe.rssKb() > 0);
        } finally {
            sleeper.destroy();
        }
    }

    @Test
    void whenNoSuchProcess_thenUsageError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> BrokerProbe.of(Integer.MAX_VALUE));
        assertTrue(e.getMessage().startsWith("--broker-pid " + Integer.MAX_VALUE), e.getMessage());
    }
}

package dev.courier.mqtt.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.api.ConnectedClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table {@code mqtt:clients} prints: a row per client, sorted by id. */
class ClientsCommandTest {

  @Test
  void whenClientsAreConnected_thenARowEachSortedById_withTheirDetails() {
    Instant since = Instant.parse("2026-12-08T01:02:03Z");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ClientsCommand.table(List.of(
        new ConnectedClient("sensor-2", null, "/10.0.0.2:40000", "5", since, 60, true, 0),
        new ConnectedClient("sensor-1", "alice", "/10.0.0.1:40001", "3.1.1", since, 30, false, 3)))
        .print(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\\R");

    assertThat(lines[0]).contains("Client", "User", "Address", "Protocol", "Connected since",
        "Keep alive", "Clean", "In flight");
    assertThat(lines[2]).contains("sensor-1", "alice", "/10.0.0.1:40001", "3.1.1",
        ClientsCommand.SINCE.format(since), "30 s", "no").endsWith("3");
    assertThat(lines[3]).contains("sensor-2", " - ", "/10.0.0.2:40000", "5", "60 s", "yes")
        .endsWith("0");
  }
}

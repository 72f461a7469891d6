package dev.courier.mqtt.auth.internal.scram;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The credentials file read again when it changes, at most once per check interval. */
class ScramStoreTest {

  private static final String SECRET = "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"
      + "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

  @TempDir
  Path directory;

  private final AtomicLong clock = new AtomicLong(1_000_000);

  @Test
  void whenTheFileChanges_thenTheNextLookupAfterTheIntervalSeesIt() throws IOException {
    Path file = directory.resolve("users");
    Files.writeString(file, "alice = " + SECRET + "\n");
    ScramStore store = new ScramStore(file, clock::get);
    assertThat(store.lookup("alice")).isNotNull();

    Files.writeString(file, "bob = " + SECRET + ", ops\n");
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
    assertThat(store.lookup("alice")).as("within the interval").isNotNull();
    clock.addAndGet(ScramStore.CHECK_INTERVAL_MILLIS);

    assertThat(store.lookup("alice")).isNull();
    assertThat(store.lookup("bob").roles()).containsExactly("ops");
  }

  @Test
  void whenTheFileIsMissing_thenNoUserUntilItAppears() throws IOException {
    Path file = directory.resolve("later");
    ScramStore store = new ScramStore(file, clock::get);
    assertThat(store.lookup("alice")).isNull();
    assertThat(store.size()).isZero();

    Files.writeString(file, "alice = " + SECRET + "\n");
    clock.addAndGet(ScramStore.CHECK_INTERVAL_MILLIS);

    assertThat(store.lookup("alice")).isNotNull();
  }

  @Test
  void whenTheFileGoesAway_thenNoUserAnyMore() throws IOException {
    Path file = directory.resolve("users");
    Files.writeString(file, "alice = " + SECRET + "\n");
    ScramStore store = new ScramStore(file, clock::get);

    Files.delete(file);
    clock.addAndGet(ScramStore.CHECK_INTERVAL_MILLIS);

    assertThat(store.lookup("alice")).isNull();
  }
}

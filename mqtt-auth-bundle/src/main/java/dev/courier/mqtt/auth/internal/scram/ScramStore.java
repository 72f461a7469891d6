package dev.courier.mqtt.auth.internal.scram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCRAM users of one credentials file, read when made and read again when the file changes
 * (its modification time or size), looked at no more than once per {@link #CHECK_INTERVAL_MILLIS}
 * and only by a lookup, which runs on a login thread. A file that cannot be read leaves no user
 * (fail closed) until it can. Problems are logged under the configuration key, never with secrets.
 */
public final class ScramStore {

  /** The key of the setting that names the file, for log lines. */
  public static final String KEY = "scramCredentialsFile";
  /** How often a lookup may look at the file. */
  public static final long CHECK_INTERVAL_MILLIS = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(ScramStore.class);

  /** The users read, and what the file looked like when read (null time: unreadable). */
  private record Snapshot(Map<String, ScramUser> users, Object modified, long size) {}

  private final Path file;
  private final LongSupplier clockMillis;
  private volatile Snapshot snapshot;
  private long checkedAt;

  /**
   * Reads {@code file} now.
   *
   * @param clockMillis the time, for the check interval
   */
  public ScramStore(Path file, LongSupplier clockMillis) {
    this.file = file;
    this.clockMillis = clockMillis;
    this.snapshot = read();
    this.checkedAt = clockMillis.getAsLong();
  }

  /** The user named {@code name}, or null; reads the file again first if it changed. */
  public ScramUser lookup(String name) {
    refresh();
    return snapshot.users().get(name);
  }

  /** How many users the file holds now (as last read). */
  public int size() {
    return snapshot.users().size();
  }

  private synchronized void refresh() {
    long now = clockMillis.getAsLong();
    if (now - checkedAt < CHECK_INTERVAL_MILLIS) {
      return;
    }
    checkedAt = now;
    Snapshot current = snapshot;
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      if (attributes.lastModifiedTime().equals(current.modified())
          && attributes.size() == current.size()) {
        return;
      }
    } catch (IOException e) {
      if (current.modified() == null) {
        return; // still unreadable: logged already
      }
    }
    snapshot = read();
    LOG.info("{} {} changed: {} SCRAM user(s)", KEY, file, snapshot.users().size());
  }

  private Snapshot read() {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      ScramCredentials.Result result =
          ScramCredentials.parse(Files.readAllLines(file, StandardCharsets.UTF_8));
      result.problems().forEach(problem ->
          LOG.error("{} {}: {}; that line is skipped", KEY, file, problem));
      return new Snapshot(result.users(), attributes.lastModifiedTime(), attributes.size());
    } catch (IOException | RuntimeException e) {
      LOG.error("{} {} cannot be read ({}); no SCRAM user can log in until it can", KEY, file,
          e.toString());
      return new Snapshot(Map.of(), null, -1);
    }
  }
}

package dev.courier.mqtt.transport.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The registry stores sessions a later connection may resume, and only counts those that end with
 * their connection: no entry per clean connection.
 */
class SessionRegistryTest {

  private final SessionRegistry registry = new SessionRegistry();

  @Test
  void whenTransientSessionOpens_thenCountedButNotResumable() {
    ClientSession brief = registry.openTransient("brief");

    assertThat(brief.clean()).isTrue();
    assertThat(registry.sessionCount()).isEqualTo(1);
    assertThat(registry.open("brief", false)).isNotSameAs(brief);
    assertThat(registry.sessionCount()).isEqualTo(2); // the stored persistent one, and brief's
  }

  @Test
  void whenTransientSessionIsRemovedTwice_thenCountedDownOnce() {
    ClientSession first = registry.openTransient("a");
    registry.openTransient("b");

    registry.remove(first);
    registry.remove(first);

    assertThat(registry.sessionCount()).isEqualTo(1);
  }

  @Test
  void whenTransientSessionOpensOverAStoredOne_thenTheStoredOneIsGone() {
    ClientSession stored = registry.open("id", false);
    assertThat(registry.open("id", false)).isSameAs(stored);

    ClientSession brief = registry.openTransient("id");
    registry.remove(brief);

    assertThat(registry.sessionCount()).isZero();
    assertThat(registry.open("id", false)).isNotSameAs(stored);
  }

  @Test
  void whenPersistentSessionIsRemoved_thenItIsForgotten() {
    ClientSession stored = registry.open("keep", false);

    registry.remove(stored);

    assertThat(registry.sessionCount()).isZero();
    assertThat(registry.open("keep", false)).isNotSameAs(stored);
  }
}

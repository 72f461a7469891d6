package dev.courier.mqtt.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps the layering visible in the folders: only {@code component} knows OSGi; {@code acl} (pure
 * topic logic) knows no other package of this bundle; {@code config} knows only {@code acl};
 * {@code login} knows only {@code config}; {@code scram} (the SCRAM-SHA-256 mechanism) knows only
 * {@code login}'s executor and scheduler types.
 */
class PackageLayersTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/courier/mqtt/auth/internal");
  private static final String OWN = "dev.courier.mqtt.auth.internal.";

  private static final Map<String, List<String>> ALLOWED = Map.of(
      "acl", List.of(),
      "config", List.of("acl"),
      "login", List.of("config"),
      "scram", List.of("login"),
      "component", List.of("acl", "config", "login", "scram"));

  @ParameterizedTest
  @ValueSource(strings = {"acl", "config", "login", "scram", "component"})
  void whenPackageImports_thenOnlyAllowedLayers(String layer) throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES.resolve(layer))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        for (String line : Files.readAllLines(file)) {
          if (!line.startsWith("import ")) {
            continue;
          }
          String imported = line.substring("import ".length()).replace("static ", "");
          if (imported.startsWith("org.osgi.") && !layer.equals("component")) {
            violations.add(file.getFileName() + ": " + line);
          }
          if (imported.startsWith(OWN)) {
            String target = imported.substring(OWN.length()).split("\\.")[0];
            if (!target.equals(layer) && !ALLOWED.get(layer).contains(target)) {
              violations.add(file.getFileName() + ": " + line);
            }
          }
        }
      }
    }
    assertThat(violations).isEmpty();
  }
}

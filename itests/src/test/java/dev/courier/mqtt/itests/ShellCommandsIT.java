package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivilegedExceptionAction;
import javax.inject.Inject;
import javax.security.auth.Subject;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The {@code courier-mqtt-shell} feature's commands through Karaf's shell: {@code mqtt:clients}
 * lists a connected client, {@code mqtt:kick} disconnects it, and both need the admin role.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellCommandsIT extends CourierKarafTestSupport {

  @Inject private SessionFactory sessionFactory;

  @Override
  protected Option[] extraOptions(int mqttPort) {
    return new Option[] {features(maven("dev.courier", "courier-mqtt-features",
        System.getProperty("itest.project.version")).classifier("features").type("xml"),
        "courier-mqtt-shell")};
  }

  @Test
  public void whenAClientIsConnected_thenMqttClientsListsIt_andMqttKickDisconnectsIt()
      throws Exception {
    awaitTransport(t -> t.boundAddress() != null);
    String id = clientId("shell");
    MqttClient client = client(id);
    client.connect(options(true));

    String listed = await().atMost(TIMEOUT).until(() -> run("admin", "mqtt:clients"),
        output -> output.contains(id));
    assertThat(listed).contains("Client", "Address", "Protocol", "Keep alive", "3.1.1", "30 s");

    assertThat(run("admin", "mqtt:kick --reason maintenance " + id))
        .contains("Client " + id + " disconnected");
    await().atMost(TIMEOUT).until(() -> !client.isConnected());
    assertThat(run("admin", "mqtt:kick " + id)).contains("No client " + id + " is connected");
  }

  @Test
  public void whenTheUserLacksTheAdminRole_thenTheCommandsAreNotThere() throws Exception {
    awaitTransport(t -> t.boundAddress() != null);
    await().atMost(TIMEOUT).until(() -> run("admin", "mqtt:clients"),
        output -> output.contains("Client"));
    // Karaf's command ACL (etc/org.apache.karaf.command.acl.mqtt.cfg: * = admin) hides a command
    // from a user who may not run it. The feature writes the file as it installs; Karaf's file
    // watcher brings it into ConfigAdmin within a poll or two, and the shell applies it then.
    await().atMost(TIMEOUT).until(() -> run("viewer", "mqtt:clients"),
        output -> output.contains("Command not found: mqtt:clients"));
    assertThat(run("viewer", "mqtt:kick nobody")).contains("Command not found: mqtt:kick");
    assertThat(run("admin", "mqtt:clients")).as("an admin still may").contains("Client");
  }

  /** Runs {@code command} as a user with {@code role}; its output, or the error's message. */
  private String run(String role, String command) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Subject subject = new Subject();
    subject.getPrincipals().add(new UserPrincipal("itest-" + role));
    subject.getPrincipals().add(new RolePrincipal(role));
    try (Session session = sessionFactory.create(System.in, out, out)) {
      Subject.doAs(subject, (PrivilegedExceptionAction<Object>) () -> session.execute(command));
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      out.println(cause.getMessage());
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}

package dev.courier.mqtt.auth.internal.component;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Metatype of PID {@code dev.courier.mqtt.auth}: what an operator may set in {@code
 * etc/dev.courier.mqtt.auth.cfg}. The component reads the raw properties itself (so that a bad
 * value is reported by key and the previous configuration stays); these defaults match {@code
 * AuthConfig.defaults()}.
 */
@ObjectClassDefinition(
    id = AuthComponent.PID,
    name = "Courier MQTT authentication and authorization",
    description = "Who may connect (Karaf JAAS realm) and what they may publish and subscribe to."
        + " Changes apply to the next CONNECT and the next PUBLISH/SUBSCRIBE; an invalid value is"
        + " rejected and the previous configuration stays.")
@interface AuthConfiguration {

  @AttributeDefinition(description = "OPTIONAL: clients without credentials connect anonymously;"
      + " REQUIRED: they are refused (CONNACK 0x04). Credentials that are present are always"
      + " checked.", options = {
          @Option(label = "Optional", value = "OPTIONAL"),
          @Option(label = "Required", value = "REQUIRED")})
  String authentication() default "OPTIONAL";

  @AttributeDefinition(description = "The Karaf JAAS realm to log in against.")
  String realm() default "karaf";

  @AttributeDefinition(description = "A role every logged-in user must hold to connect (else"
      + " CONNACK 0x05); empty for none. Anonymous clients are governed by the rules instead.",
      required = false)
  String requiredRole() default "";

  @AttributeDefinition(description = "NOT_REQUIRED: every topic is open (except $SYS, see"
      + " adminRole); REQUIRED: the rules decide and what no rule allows is denied.", options = {
          @Option(label = "Not required", value = "NOT_REQUIRED"),
          @Option(label = "Required", value = "REQUIRED")})
  String authorization() default "NOT_REQUIRED";

  @AttributeDefinition(description = "The only role that may subscribe or publish to topics"
      + " starting with $SYS; enforced in both authorization modes.")
  String adminRole() default "admin";

  @AttributeDefinition(description = "Topic rules, one per value (in a plain .cfg file: one"
      + " string, rules separated by ';' or line breaks, or indexed keys rule.1, rule.2, ...):"
      + " '<allow|deny> <role:NAME|user:NAME|anonymous|any> <publish|subscribe|both> <filter>',"
      + " with %u for the user name and %c for the client id in the filter. Deny wins.",
      required = false)
  String[] rules() default {};

  @AttributeDefinition(description = "How deny rules meet wildcard subscriptions. OVERLAP: refuse"
      + " any filter that could receive a denied topic (deny a/b refuses a/+ and #). COVERED:"
      + " refuse only filters wholly inside a deny rule (wildcard subscribers still receive it).",
      options = {
          @Option(label = "Overlap", value = "OVERLAP"),
          @Option(label = "Covered", value = "COVERED")})
  String subscribeDenyMode() default "OVERLAP";

  @AttributeDefinition(description = "Seconds a JAAS login may take before the CONNECT is"
      + " refused.", min = "1", max = "300")
  int loginTimeoutSeconds() default 5;

  @AttributeDefinition(description = "Threads running JAAS logins.", min = "1", max = "256")
  int maxLoginThreads() default 4;

  @AttributeDefinition(description = "Logins that may wait for a thread; beyond it a CONNECT"
      + " with credentials is refused (CONNACK 0x05) and counted.", min = "0", max = "100000")
  int maxPendingLogins() default 64;

  @AttributeDefinition(description = "Milliseconds the answer to a failed login is held back,"
      + " doubled per consecutive failure of the same client id or remote address.", min = "0",
      max = "60000")
  int failedLoginDelayMillis() default 200;

  @AttributeDefinition(description = "Milliseconds: the cap of that delay.", min = "0",
      max = "600000")
  int maxFailedLoginDelayMillis() default 5000;

  @AttributeDefinition(description = "A file of SCRAM-SHA-256 users for MQTT 5.0 enhanced"
      + " authentication (Authentication Method SCRAM-SHA-256), one per line: 'user ="
      + " SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, role1, role2' (make lines"
      + " with the ScramSecrets tool). Read again when it changes. Empty: SCRAM is not offered.",
      required = false)
  String scramCredentialsFile() default "";
}

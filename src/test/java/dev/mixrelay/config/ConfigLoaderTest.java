package dev.mixrelay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mixrelay.mixpanel.Credentials;
import dev.mixrelay.mixpanel.Region;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading YAML with environment overrides, and the one-line errors for bad configs. */
class ConfigLoaderTest {
  private static final String MINIMAL = """
      sources: [ { writeKey: k1, destination: main } ]
      destinations:
        main: { token: t1 }
      """;

  @Test
  void theBundledDefaultConfigLoads() {
    RelayConfig c = ConfigLoader.load(Path.of("config/mixrelay.yaml"), Map.of());
    assertThat(c.server().port()).isEqualTo(8088);
    assertThat(c.destinations().get("main").apiHost()).isEqualTo("embedded-mock");
    assertThat(c.destinations().get("main").sessions().timeout()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void theEuExampleLoadsWithSecretsFromTheEnvironment() {
    RelayConfig c = ConfigLoader.load(Path.of("config/mixpanel-eu.example.yaml"), Map.of(
        "MIXRELAY_SOURCES_0_WRITEKEY", "wk",
        "MIXRELAY_DESTINATIONS_EU_SERVICEACCOUNT_SECRET", "sa-secret",
        "MIXRELAY_DESTINATIONS_EU_TOKEN", "eu-token"));
    DestinationConfig eu = c.destinations().get("eu");
    assertThat(eu.region()).isEqualTo(Region.EU);
    assertThat(eu.baseUrl()).isEqualTo("https://api-eu.mixpanel.com");
    assertThat(eu.credentials()).isEqualTo(new Credentials.ServiceAccount(
        "mixrelay.1a2b3c.mp-service-account", "sa-secret", "1234567"));
    assertThat(eu.token()).isEqualTo("eu-token");
  }

  @Test
  void defaultsFillEverythingNotGiven() {
    RelayConfig c = ConfigLoader.parse(MINIMAL, Map.of(), "t");
    assertThat(c.server().maxMessageBytes()).isEqualTo(32768);
    assertThat(c.server().maxRequestBytes()).isEqualTo(512000);
    assertThat(c.storage().fsync()).isEqualTo(StorageConfig.FsyncMode.batch);
    DestinationConfig d = c.destinations().get("main");
    assertThat(d.name()).isEqualTo("main");
    assertThat(d.region()).isEqualTo(Region.US);
    assertThat(d.settings().consolidatedPageCalls()).isTrue();
    assertThat(d.credentials()).isInstanceOf(Credentials.TokenOnly.class);
    assertThat(c.sources().get(0).name()).isEqualTo("source-0");
  }

  @Test
  void environmentVariablesOverrideSecretsCaseInsensitively() {
    RelayConfig c = ConfigLoader.parse(MINIMAL, Map.of(
        "MIXRELAY_DESTINATIONS_MAIN_APISECRET", "from-env",
        "MIXRELAY_SOURCES_0_WEBHOOKSECRET", "hook-env",
        "MIXRELAY_SERVER_PORT", "9999",
        "MIXRELAY_DESTINATIONS_MAIN_SESSIONS_TIMEOUT", "45m",
        "PATH", "/usr/bin"), "t");
    assertThat(c.destinations().get("main").apiSecret()).isEqualTo("from-env");
    assertThat(c.destinations().get("main").credentials()).isInstanceOf(Credentials.ApiSecret.class);
    assertThat(c.sources().get(0).webhookSecret()).isEqualTo("hook-env");
    assertThat(c.server().port()).isEqualTo(9999);
    assertThat(c.destinations().get("main").sessions().timeout()).isEqualTo(Duration.ofMinutes(45));
  }

  @Test
  void anUnknownKeyStopsLoadingWithItsPathAndTheFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, MINIMAL.replace("{ token: t1 }", "{ token: t1, settings: { trackEverything: true } }"));
    assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("destinations.main.settings.trackEverything is not a known key");
  }

  @Test
  void wrongTypesAndBrokenRulesAreEachNamed() {
    assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + "server: { port: eighty }\n", Map.of(), "t"))
        .hasMessageContaining("server.port");
    assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("{ token: t1 }",
        "{ token: t1, region: MARS }"), Map.of(), "t")).hasMessageContaining("destinations.main.region");
    ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() ->
        ConfigLoader.parse("""
            sources: [ { writeKey: k1, destination: nowhere } ]
            destinations:
              main: { token: t1, sessions: { timeout: 2d, mode: event } }
            """, Map.of(), "t"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p)
        .isEqualTo("destinations.main.sessions.timeout must be between 1m and 24h, was 2d"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("sources[0].destination names 'nowhere'"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("startEvent is required"));
  }

  @Test
  void aMissingTokenIsRequiredAndSecretsNeverPrint() {
    assertThatThrownBy(() -> ConfigLoader.parse("""
        sources: [ { writeKey: k1, destination: main } ]
        destinations: { main: { apiSecret: s3cr3t-value } }
        """, Map.of(), "t")).hasMessageContaining("destinations.main.token is required")
        .hasMessageNotContaining("s3cr3t-value");
    RelayConfig c = ConfigLoader.parse(MINIMAL.replace("{ token: t1 }", "{ token: t1, apiSecret: s3cr3t-value }")
        .replace("destination: main }", "destination: main, webhookSecret: hook-s3cr3t }"), Map.of(), "t");
    assertThat(c.toString()).doesNotContain("s3cr3t").doesNotContain("k1,");
  }

  @Test
  void aBareOffSessionModeMeansOffThoughYamlReadsItAsFalse() {
    RelayConfig c = ConfigLoader.parse(MINIMAL.replace("{ token: t1 }", "{ token: t1, sessions: { mode: off } }"),
        Map.of(), "t");
    assertThat(c.destinations().get("main").sessions().mode()).isEqualTo(SessionConfig.Mode.off);
    assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("{ token: t1 }",
        "{ token: t1, sessions: { mode: sometimes } }"), Map.of(), "t"))
        .hasMessageContaining("destinations.main.sessions.mode").hasMessageContaining("sometimes");
  }

  @Test
  void theEuFlagSelectsTheEuRegion() {
    RelayConfig c = ConfigLoader.parse(MINIMAL.replace("{ token: t1 }",
        "{ token: t1, settings: { enableEuropeanUnionEndpoint: true } }"), Map.of(), "t");
    assertThat(c.destinations().get("main").region()).isEqualTo(Region.EU);
    assertThat(c.destinations().get("main").baseUrl()).isEqualTo("https://api-eu.mixpanel.com");
  }

  @Test
  void theEngineIsEmbeddedUnlessKafkaIsChosenWithItsClusterSettings() {
    RelayConfig plain = ConfigLoader.parse(MINIMAL, Map.of(), "t");
    assertThat(plain.engine()).isEqualTo(RelayConfig.Engine.embedded);
    assertThat(plain.role()).isEqualTo(RelayConfig.Role.all);

    RelayConfig c = ConfigLoader.parse(MINIMAL + """
        engine: kafka
        role: processor
        kafka: { bootstrapServers: "k1:9092,k2:9092", partitions: 12, commitInterval: 2s }
        """, Map.of("MIXRELAY_KAFKA_APPLICATIONID", "relay-eu"), "t");
    assertThat(c.engine()).isEqualTo(RelayConfig.Engine.kafka);
    assertThat(c.role()).isEqualTo(RelayConfig.Role.processor);
    assertThat(c.kafka().bootstrapServers()).isEqualTo("k1:9092,k2:9092");
    assertThat(c.kafka().partitions()).isEqualTo(12);
    assertThat(c.kafka().applicationId()).isEqualTo("relay-eu");
    assertThat(c.kafka().intakeTopic()).isEqualTo("mixrelay-intake");
    assertThat(c.kafka().commitInterval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aRoleWithoutKafkaAndBadKafkaSettingsAreEachNamed() {
    assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + "role: intake\n", Map.of(), "t"))
        .hasMessageContaining("role intake needs engine: kafka");
    assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + """
        engine: kafka
        kafka: { partitions: 0, intakeTopic: "bad topic", deadLetterTopic: mixrelay-links }
        """, Map.of(), "t"))
        .hasMessageContaining("kafka.partitions must be between 1 and 10000, was 0")
        .hasMessageContaining("kafka.intakeTopic must be 1-200 letters")
        .hasMessageContaining("kafka topics must be three different topics");
  }

  @Test
  void everyProblemIsReportedAtOnceWithTheValueAsWritten() {
    ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() ->
        ConfigLoader.parse("""
            server: { maxBatchMessages: lots }
            sources: [ { writeKey: k1, destination: main } ]
            destinations:
              main: { token: "", sessions: { timeout: 48h, allowedLateness: 5x } }
            """, Map.of("MIXRELAY_SERVER_PORT", "abc"), "t"));
    assertThat(e.problems()).containsExactlyInAnyOrder(
        "server.port (set by environment variable MIXRELAY_SERVER_PORT) must be a whole number,"
            + " was 'abc'",
        "server.maxBatchMessages must be a whole number, was 'lots'",
        "destinations.main.sessions.allowedLateness must be a duration such as 200ms, 60s, 30m"
            + " or 24h, was '5x'",
        "destinations.main.token is required (the Mixpanel project token)",
        "destinations.main.sessions.timeout must be between 1m and 24h, was 48h");
  }

  @Test
  void aPlaceholderSecretIsRefusedAndNamesItsVariable() {
    assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("{ token: t1 }",
        "{ token: t1, apiSecret: set-from-environment }"), Map.of(), "t"))
        .hasMessageContaining("destinations.main.apiSecret still holds the example's placeholder"
            + " 'set-from-environment': set MIXRELAY_DESTINATIONS_MAIN_APISECRET");
  }

  @Test
  void aWrongTypeOfASecretNeverRepeatsIt() {
    assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL.replace("{ token: t1 }",
        "{ token: t1, apiSecret: [s3cr3t-value] }"), Map.of(), "t"))
        .hasMessageContaining("destinations.main.apiSecret must be text")
        .hasMessageNotContaining("s3cr3t-value");
  }

  @Test
  void aYamlSyntaxErrorNamesLineAndColumn() {
    assertThatThrownBy(() -> ConfigLoader.parse("server:\n  port: [1, 2\nsources: x\n", Map.of(),
        "t")).hasMessageContaining("is not valid YAML: line 3, column 8");
  }
}

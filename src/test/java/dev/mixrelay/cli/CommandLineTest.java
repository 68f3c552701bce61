package dev.mixrelay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user types it: the jar run as a process, exit codes and output. */
class CommandLineTest {

  @TempDir
  Path dir;

  @Test
  void aMisspeltOptionIsRefusedWithTheRightSpellingAndStartsNothing() throws Exception {
    Jar.Result r = Jar.run("--conifg", "prod.yaml");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option").contains("'--conifg'")
        .contains("did you mean: --config?");
    assertThat(r.all()).doesNotContain("starting with");
  }

  @Test
  void anOptionWithoutItsValueIsRefused() throws Exception {
    Jar.Result r = Jar.run("run", "--config");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter for option '--config'");
    assertThat(r.all()).doesNotContain("starting with");
  }

  @Test
  void anUnknownCommandIsRefusedWithTheNearestCommand() throws Exception {
    Jar.Result r = Jar.run("rnu");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("unknown command 'rnu'").contains("did you mean: run?");
    Jar.Result check = Jar.run("chek-config");
    assertThat(check.err()).contains("did you mean: check-config?");
  }

  @Test
  void versionPrintsTheVersionAndStartsNothing() throws Exception {
    Jar.Result r = Jar.run("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("mixrelay ");
    assertThat(r.all()).doesNotContain("starting with");
  }

  @Test
  void helpCommandAndCommandHelpDescribeTheSameOptions() throws Exception {
    Jar.Result help = Jar.run("help", "import");
    Jar.Result dashHelp = Jar.run("import", "--help");
    assertThat(help.code()).isZero();
    assertThat(dashHelp.code()).isZero();
    assertThat(help.out()).isEqualTo(dashHelp.out()).contains("--rejects").contains("--config")
        .contains("--write-key");
    Jar.Result top = Jar.run("help");
    assertThat(top.out()).contains("check-config").contains("status").contains("dead-letters");
  }

  @Test
  void everyCommandThatReadsAConfigNamesItTheSameWay() throws Exception {
    for (String command : List.of("run", "check-config", "status", "dead-letters", "demo",
        "import")) {
      assertThat(Jar.run(command, "--help").out()).as(command).contains("-c, --config=PATH");
    }
  }

  @Test
  void checkConfigPrintsEffectiveSettingsWithSecretsMaskedAndWhatEachDestinationDoes()
      throws Exception {
    Jar.Result r = Jar.run(Map.of("MIXRELAY_DESTINATIONS_MAIN_APISECRET", "api-Zq81-secret",
        "MIXRELAY_ADMIN_TOKEN", "admin-Zq81-secret"), "check-config", "--config",
        "config/mixrelay.yaml");
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains("config/mixrelay.yaml is valid")
        .contains("writeKey: '***'").contains("apiSecret: '***'").contains("token: '***'")
        .contains("shutdownTimeout: 20s")
        .contains("destination main:").contains("the embedded mock Mixpanel")
        .contains("identity:  simplified").contains("sessions:  timeout 30m");
    assertThat(r.all()).doesNotContain("api-Zq81-secret").doesNotContain("admin-Zq81-secret")
        .doesNotContain("dev-write-key").doesNotContain("dev-api-secret")
        .doesNotContain("dev-project-token");
  }

  @Test
  void aBrokenConfigListsEveryMistakeWithKeyValueAndWhatIsAllowed() throws Exception {
    Path config = dir.resolve("broken.yaml");
    Files.writeString(config, """
        server: { maxBatchMessages: lots }
        sources: [ { writeKey: k, destination: main } ]
        destinations:
          main:
            token: ""
            sessions: { timeout: 48h, allowedLateness: 5x }
            delivery: { lingr: 10ms }
        """);
    Jar.Result r = Jar.run(Map.of("MIXRELAY_SERVER_PORT", "abc"), "check-config", "--config",
        config.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("(6 problems)")
        .contains("server.maxBatchMessages must be a whole number, was 'lots'")
        .contains("destinations.main.sessions.allowedLateness must be a duration such as 200ms,"
            + " 60s, 30m or 24h, was '5x'")
        .contains("destinations.main.token is required")
        .contains("server.port (set by environment variable MIXRELAY_SERVER_PORT) must be a whole"
            + " number, was 'abc'")
        .contains("destinations.main.sessions.timeout must be between 1m and 24h, was 48h")
        .contains("destinations.main.delivery.lingr is not a known key (did you mean linger?)")
        .doesNotContain("java.lang").doesNotContain("Cannot deserialize");
    // run refuses the same config the same way, before starting anything
    Jar.Result run = Jar.run(Map.of("MIXRELAY_SERVER_PORT", "abc"), "--config", config.toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("(6 problems)");
  }

  @Test
  void aYamlSyntaxErrorGivesLineAndColumn() throws Exception {
    Path config = dir.resolve("syntax.yaml");
    Files.writeString(config, "server:\n  port: [1, 2\nsources: x\n");
    Jar.Result r = Jar.run("check-config", "--config", config.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("is not valid YAML: line 3, column 8:");
  }

  @Test
  void theExamplesPlaceholderSecretsAreRefusedUntilTheEnvironmentSetsThem() throws Exception {
    Jar.Result r = Jar.run("check-config", "--config", "config/mixpanel-eu.example.yaml");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("sources[0].writeKey still holds the example's placeholder"
        + " 'set-from-environment': set MIXRELAY_SOURCES_0_WRITEKEY")
        .contains("MIXRELAY_DESTINATIONS_EU_TOKEN")
        .contains("MIXRELAY_DESTINATIONS_EU_SERVICEACCOUNT_SECRET");
    Jar.Result ok = Jar.run(Map.of("MIXRELAY_SOURCES_0_WRITEKEY", "wk-Zq81-secret",
        "MIXRELAY_DESTINATIONS_EU_TOKEN", "tok-Zq81-token",
        "MIXRELAY_DESTINATIONS_EU_SERVICEACCOUNT_SECRET", "sa-Zq81-secret"),
        "check-config", "--config", "config/mixpanel-eu.example.yaml");
    assertThat(ok.code()).as(ok.all()).isZero();
    assertThat(ok.out()).contains("Mixpanel EU at https://api-eu.mixpanel.com")
        .contains("service account mixrelay.1a2b3c.mp-service-account")
        .doesNotContain("Zq81");
  }

  @Test
  void theClusterExampleForYourOwnBrokersChecksOut() throws Exception {
    Jar.Result r = Jar.run("check-config", "--config", "config/cluster.local.yaml");
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains("engine: kafka").contains("bootstrapServers: localhost:9092");
  }

  @Test
  void aPortInUseIsNamed() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      Path config = dir.resolve("taken.yaml");
      Files.writeString(config, """
          server: { host: 127.0.0.1, port: %d }
          storage: { dir: "%s" }
          sources: [ { writeKey: k, destination: main } ]
          destinations: { main: { token: t, apiHost: "http://127.0.0.1:1" } }
          """.formatted(taken.getLocalPort(), dir.resolve("data").toString().replace("\\", "/")));
      Jar.Result r = Jar.run("--config", config.toString());
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.all()).contains("a port is already in use: intake wants 127.0.0.1:"
          + taken.getLocalPort() + " (server.port)");
    }
  }
}

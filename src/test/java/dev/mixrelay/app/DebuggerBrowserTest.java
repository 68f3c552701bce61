package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live debugger in a real browser: {@code src/test/browser/debugger-check.mjs} opens {@code
 * /debugger} in headless Debian Chromium (driven by playwright-core), sends events over HTTP and
 * checks each appears beside its Mixpanel records and the session events it closed, the detail
 * view, the filters and pause; it leaves a screenshot at {@code target/debugger.png}. Skipped,
 * with the reason, where Chromium or Node is missing.
 */
class DebuggerBrowserTest {
  private static final String ADMIN = "debugger-admin-token-7";
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path SCRIPT_DIR = Path.of(System.getProperty("user.dir"), "src", "test", "browser");

  @TempDir
  Path dir;

  @Test
  void theDebuggerPageShowsEventsBesideTheirTranslationFiltersAndPausesInChromium() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
        "Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium): the debugger"
            + " browser test needs it");
    Result node = run(List.of("node", "--version"), Duration.ofSeconds(30));
    Assumptions.assumeTrue(node.code == 0, "Node.js is not installed: the debugger browser test needs it");
    if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules/playwright-core"))) {
      Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Duration.ofMinutes(3));
      assertThat(install.code).as("npm ci in %s:%n%s", SCRIPT_DIR, install.output).isZero();
    }
    Path target = Path.of(System.getProperty("user.dir"), "target");
    Files.createDirectories(target);
    Path screenshot = target.resolve("debugger.png");
    Path dump = target.resolve("debugger-page.txt");
    Files.deleteIfExists(screenshot);

    try (RelayFixture fx = new RelayFixture(dir, "admin: { token: " + ADMIN + " }")) {
      var delivery = new RelayFixture.RecordingDelivery();
      fx.start(r -> delivery);
      assertThat(fx.get("/debugger").statusCode()).isEqualTo(401);
      assertThat(fx.get("/debugger?token=wrong").statusCode()).isEqualTo(401);
      assertThat(fx.get("/debugger/events?token=wrong").statusCode()).isEqualTo(401);
      HttpResponse<Buffer> page = fx.get("/debugger?token=" + ADMIN);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.getHeader("Content-Type")).startsWith("text/html");
      assertThat(page.bodyAsString()).doesNotContain(ADMIN).contains("/debugger/app.js");

      Result check = run(List.of("node", "debugger-check.mjs", "--url", "http://127.0.0.1:" + fx.relay.port(),
          "--token", ADMIN, "--write-key", RelayFixture.WRITE_KEY, "--screenshot", screenshot.toString(),
          "--dump", dump.toString()), Duration.ofMinutes(2));
      assertThat(check.code).as("debugger-check.mjs:%n%s", check.output).isZero();
      assertThat(check.output).contains("debugger check passed");
      assertThat(delivery.snapshot()).isNotEmpty();
    }
    assertThat(Files.size(screenshot)).isGreaterThan(10_000);
    String shown = Files.readString(dump, StandardCharsets.UTF_8);
    assertThat(shown).contains("Order Completed").doesNotContain(RelayFixture.WRITE_KEY).doesNotContain(ADMIN);
  }

  @Test
  void theDebuggerIsNotThereWithoutAnAdminToken() {
    try (RelayFixture fx = new RelayFixture(dir, "")) {
      fx.start(r -> new RelayFixture.RecordingDelivery());
      assertThat(fx.get("/debugger").statusCode()).isEqualTo(404);
      assertThat(fx.get("/debugger/events?token=").statusCode()).isEqualTo(404);
    }
  }

  private record Result(int code, String output) {}

  private static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
    Path log = Files.createTempFile("mixrelay-browser-", ".log");
    try {
      Process p;
      try {
        p = new ProcessBuilder(command).directory(SCRIPT_DIR.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
      } catch (IOException e) {
        return new Result(-1, command.get(0) + " could not run: " + e.getMessage());
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        return new Result(-1, String.join(" ", command) + " timed out after " + timeout + ":\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}

package dev.mixrelay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Run it" section pasted as written: the relay started by its command on the bundled
 * config (ports and storage moved by environment overrides so the test can run anywhere), then
 * its curl block run by bash at once, which must show the event on the first try.
 */
class ReadmeQuickstartTest {

  @TempDir
  Path dir;

  @Test
  void theQuickstartShowsTheEventOnTheFirstTry() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")) && Files.isExecutable(
        Path.of("/bin/bash")), "needs bash and curl");
    List<String> blocks = bashBlocks(Files.readString(Path.of("README.md")));
    assertThat(blocks.get(0).lines()).containsExactly("mvn -B -q package -DskipTests",
        "java -jar target/mixrelay.jar --config config/mixrelay.yaml");
    int port = freePort();
    int mockPort = freePort();
    ProcessBuilder pb = new ProcessBuilder(Jar.command(List.of("--config", "config/mixrelay.yaml"))).redirectErrorStream(true)
        .redirectOutput(dir.resolve("relay.log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("MIXRELAY_"));
    pb.environment().put("MIXRELAY_SERVER_PORT", Integer.toString(port));
    pb.environment().put("MIXRELAY_MOCK_PORT", Integer.toString(mockPort));
    pb.environment().put("MIXRELAY_STORAGE_DIR", dir.resolve("data").toString());
    Process relay = pb.start();
    try {
      String script = blocks.get(1).replace("127.0.0.1:8088", "127.0.0.1:" + port)
          .replace("127.0.0.1:9090", "127.0.0.1:" + mockPort);
      awaitUp(port, relay);
      Process bash = new ProcessBuilder("/bin/bash", "-c", script).redirectErrorStream(true)
          .start();
      assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(out).startsWith("{\"success\":true}").contains("\"event\":\"Signed Up\"")
          .contains("\"plan\":\"pro\"");
      assertThat(Files.readString(dir.resolve("relay.log")))
          .contains("delivers to the embedded mock Mixpanel");
    } finally {
      relay.destroy();
      relay.waitFor(30, TimeUnit.SECONDS);
      relay.destroyForcibly();
    }
  }

  static List<String> bashBlocks(String readme) {
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    while (m.find()) {
      blocks.add(m.group(1).strip());
    }
    return blocks;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void awaitUp(int port, Process relay) throws Exception {
    for (int i = 0; i < 600; i++) {
      assertThat(relay.isAlive()).isTrue();
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (java.io.IOException e) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("the relay did not start");
  }
}

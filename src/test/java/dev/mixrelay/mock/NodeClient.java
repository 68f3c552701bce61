package dev.mixrelay.mock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code src/test/node/send.mjs} (the real {@code @segment/analytics-node}) from a JUnit test:
 * installs its packages with {@code npm ci} when {@code node_modules} is missing, then sends
 * identify, track, page, screen, group and alias to {@code host}. When Node 20+ or npm is not
 * installed the calling test is aborted (reported as skipped, with the reason), never passed.
 *
 * <p>The messages it sends: userId {@code node-user-1}, anonymousId/previousId {@code node-anon-1},
 * groupId {@code node-group-1}, messageIds {@code node-identify-1}, {@code node-track-1} ("Order
 * Completed", revenue 19.99), {@code node-page-1} (category Docs, name Pricing), {@code
 * node-screen-1} (Checkout), {@code node-group-1} (traits name, company_id, employees), {@code
 * node-alias-1}.
 */
public final class NodeClient {

  /** The exit code and the merged stdout/stderr of one run of send.mjs. */
  public record Result(int exitCode, String output) {
    public boolean succeeded() {
      return exitCode == 0;
    }
  }

  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(3);

  private NodeClient() {}

  /** The script's folder, {@code src/test/node} under the project directory. */
  public static Path dir() {
    return Path.of(System.getProperty("user.dir"), "src", "test", "node");
  }

  /**
   * Sends the six calls to {@code host} (e.g. {@code http://127.0.0.1:8088}) with this write key.
   */
  public static Result send(String host, String writeKey, Duration timeout) {
    return send(host, writeKey, null, timeout);
  }

  /** As {@link #send(String, String, Duration)}, with every message's timestamp set (ISO-8601). */
  public static synchronized Result send(
      String host, String writeKey, String timestamp, Duration timeout) {
    requireNode();
    Path dir = dir();
    if (!Files.isDirectory(dir.resolve("node_modules/@segment/analytics-node"))) {
      Result install = run(dir, List.of(npm(), "ci", "--no-audit", "--no-fund"), INSTALL_TIMEOUT);
      if (!install.succeeded()) {
        throw new IllegalStateException(
            "npm ci in " + dir + " failed (exit " + install.exitCode() + "):\n" + install.output());
      }
    }
    List<String> command =
        new ArrayList<>(List.of("node", "send.mjs", "--host", host, "--write-key", writeKey));
    if (timestamp != null) {
      command.add("--timestamp");
      command.add(timestamp);
    }
    return run(dir, command, timeout);
  }

  private static void requireNode() {
    Result version;
    try {
      version = run(dir(), List.of("node", "--version"), Duration.ofSeconds(30));
    } catch (IllegalStateException e) {
      version = new Result(-1, e.getMessage());
    }
    Assumptions.assumeTrue(
        version.succeeded(),
        "Node.js is not installed (node --version failed: "
            + version.output().strip()
            + "): the @segment/analytics-node end-to-end test needs Node 20+ and npm");
    String v = version.output().strip();
    int major = Integer.parseInt(v.replaceFirst("^v(\\d+).*$", "$1").replaceAll("\\D", "0"));
    Assumptions.assumeTrue(
        major >= 20, "Node.js " + v + " is too old: @segment/analytics-node 3.1.0 needs Node 20+");
    Result npm;
    try {
      npm = run(dir(), List.of(npm(), "--version"), Duration.ofSeconds(60));
    } catch (IllegalStateException e) {
      npm = new Result(-1, e.getMessage());
    }
    Assumptions.assumeTrue(
        npm.succeeded(),
        "npm is not installed (npm --version failed): the Node client test needs it to install its"
            + " packages");
  }

  private static String npm() {
    return System.getProperty("os.name").toLowerCase().contains("win") ? "npm.cmd" : "npm";
  }

  private static Result run(Path dir, List<String> command, Duration timeout) {
    Path log = null;
    try {
      log = Files.createTempFile("mixrelay-node-", ".log");
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(
            -1,
            String.join(" ", command)
                + " timed out after "
                + timeout
                + ":\n"
                + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(
          String.join(" ", command) + " could not run: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } finally {
      if (log != null) {
        try {
          Files.deleteIfExists(log);
        } catch (IOException ignored) {
          // a leftover temp file is harmless
        }
      }
    }
  }
}

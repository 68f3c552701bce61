package dev.mixrelay.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code java -jar target/mixrelay.jar ARGS} as a process (the classes on the test classpath
 * when the jar is missing or older than them) and collects its exit code and output.
 */
final class Jar {
  private static final Path JAR = Path.of("target/mixrelay.jar");

  record Result(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private Jar() {}

  static List<String> command(List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Path mainClass = Path.of("target/classes/dev/mixrelay/cli/Main.class");
    if (Files.exists(JAR) && Files.exists(mainClass) && Files.getLastModifiedTime(JAR)
        .compareTo(Files.getLastModifiedTime(mainClass)) >= 0) {
      command.add("-jar");
      command.add(JAR.toString());
    } else {
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(Main.class.getName());
    }
    command.addAll(args);
    return command;
  }

  static Result run(Map<String, String> env, String... args) throws Exception {
    Path out = Files.createTempFile("mixrelay-out", ".txt");
    Path err = Files.createTempFile("mixrelay-err", ".txt");
    try {
      ProcessBuilder pb = new ProcessBuilder(command(List.of(args)))
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("MIXRELAY_"));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("mixrelay " + String.join(" ", args) + " did not end in 60 s");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  static Result run(String... args) throws Exception {
    return run(Map.of(), args);
  }
}

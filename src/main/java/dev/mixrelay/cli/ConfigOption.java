package dev.mixrelay.cli;

import dev.mixrelay.config.ConfigException;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config PATH}, the same option in every command that reads a config file. */
final class ConfigOption {
  static final String DEFAULT = "config/mixrelay.yaml";

  @Option(names = {"-c", "--config"}, paramLabel = "PATH", defaultValue = DEFAULT,
      description = "the config file (default: ${DEFAULT-VALUE}); MIXRELAY_* environment"
          + " variables override its keys")
  Path path = Path.of(DEFAULT);

  /** Loads the file and the environment; prints every problem and returns null when invalid. */
  RelayConfig load() {
    return load(System.err);
  }

  RelayConfig load(PrintStream err) {
    try {
      return ConfigLoader.load(path, System.getenv());
    } catch (ConfigException e) {
      err.println("mixrelay: invalid configuration in " + path + " (" + e.problems().size()
          + (e.problems().size() == 1 ? " problem" : " problems") + "):");
      e.problems().forEach(p -> err.println("  - " + p));
      return null;
    }
  }
}

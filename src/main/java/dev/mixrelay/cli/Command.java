package dev.mixrelay.cli;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * One sub-command of {@code java -jar mixrelay.jar}: a picocli {@code @Command} whose options are
 * its fields; {@link #call()} runs it and returns the process exit code.
 */
interface Command extends Callable<Integer> {
  /** The word after the jar ({@code run}, {@code demo}, ...), from the annotation. */
  default String name() {
    return getClass().getAnnotation(picocli.CommandLine.Command.class).name();
  }

  /** Parses {@code args} as this command's own arguments and runs it (tests, benchmarks). */
  default int run(List<String> args) {
    return Main.commandLine(this).execute(args.toArray(String[]::new));
  }
}

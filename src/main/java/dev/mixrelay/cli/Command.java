package dev.mixrelay.cli;

import java.util.List;

/** One sub-command of {@code java -jar mixrelay.jar}: {@code run} (default), {@code mock-mixpanel}, ... */
interface Command {
  /** The word after the jar ({@code run}, {@code demo}, ...). */
  String name();

  /** One line for the usage text. */
  String summary();

  /** Runs the command with the remaining arguments; returns the process exit code. */
  int run(List<String> args) throws Exception;
}

package dev.mixrelay.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/**
 * The command line: {@code java -jar target/mixrelay.jar [COMMAND] [OPTIONS]}, parsed by picocli.
 * With no command (or an option first, as in {@code --config PATH}) it runs the relay. Unknown
 * commands and options are refused (exit code 2) with the nearest valid spelling.
 */
@Command(name = "mixrelay", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class, subcommands = HelpCommand.class,
    synopsisSubcommandLabel = "[COMMAND]",
    description = "Segment spec calls in, Mixpanel records out, with sessions.",
    footer = {"", "With no command, or an option first, it runs the relay:"
        + " java -jar target/mixrelay.jar --config PATH.",
        "'help COMMAND' or 'COMMAND --help' describes a command."})
public final class Main implements Runnable {
  /** Options of the top-level command itself; anything else first means {@code run}. */
  private static final Set<String> OWN = Set.of("-h", "--help", "-V", "--version");

  static Map<String, dev.mixrelay.cli.Command> commands() {
    Map<String, dev.mixrelay.cli.Command> map = new LinkedHashMap<>();
    for (dev.mixrelay.cli.Command c : List.<dev.mixrelay.cli.Command>of(new RunCommand(),
        new CheckConfigCommand(), new StatusCommand(), new MockMixpanelCommand(),
        new DeadLettersCommand(), new DemoCommand(), new ImportCommand())) {
      map.put(c.name(), c);
    }
    return map;
  }

  public static void main(String[] argv) {
    System.exit(execute(argv));
  }

  static int execute(String[] argv) {
    List<String> args = new ArrayList<>(List.of(argv));
    if (args.isEmpty() || (args.get(0).startsWith("-") && !OWN.contains(args.get(0)))) {
      args.add(0, "run");
    }
    CommandLine line = commandLine(new Main());
    commands().values().forEach(line::addSubcommand);
    return line.execute(args.toArray(String[]::new));
  }

  /** The picocli parser for one command object, with mixrelay's conventions. */
  static CommandLine commandLine(Object command) {
    CommandLine line = new CommandLine(command);
    line.setCaseInsensitiveEnumValuesAllowed(true);
    line.setAbbreviatedOptionsAllowed(false);
    line.setParameterExceptionHandler(Main::refuse);
    line.setExecutionExceptionHandler((e, cl, parsed) -> {
      cl.getErr().println("mixrelay: " + RunCommand.rootMessage(e));
      return 1;
    });
    return line;
  }

  /** A command line that does not parse: the reason, the nearest valid spelling, where help is. */
  private static int refuse(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    java.io.PrintWriter err = cl.getErr();
    boolean command = cl.getParent() == null && e instanceof CommandLine.UnmatchedArgumentException
        u && !u.getUnmatched().isEmpty();
    err.println("mixrelay: " + (command ? "unknown command '"
        + ((CommandLine.UnmatchedArgumentException) e).getUnmatched().get(0) + "'"
        : e.getMessage()));
    if (e instanceof CommandLine.UnmatchedArgumentException u) {
      List<String> suggestions = new ArrayList<>();
      if (command) {
        String word = u.getUnmatched().get(0);
        cl.getSubcommands().keySet().stream().filter(n -> near(word, n)).forEach(suggestions::add);
      } else {
        suggestions.addAll(u.getSuggestions());
      }
      if (!suggestions.isEmpty()) {
        err.println("did you mean: " + String.join(" or ", suggestions) + "?");
      }
    }
    String name = cl.getParent() == null ? "" : " " + cl.getCommandName();
    err.println("usage: java -jar target/mixrelay.jar" + (name.isEmpty() ? " help"
        : name + " --help"));
    return cl.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** Two words are near when one edit apart per three letters, or one starts the other. */
  private static boolean near(String typed, String name) {
    if (name.startsWith(typed) || typed.startsWith(name)) {
      return true;
    }
    int[] prev = new int[name.length() + 1];
    for (int j = 0; j <= name.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= typed.length(); i++) {
      int[] cur = new int[name.length() + 1];
      cur[0] = i;
      for (int j = 1; j <= name.length(); j++) {
        int cost = typed.charAt(i - 1) == name.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        if (i > 1 && j > 1 && typed.charAt(i - 1) == name.charAt(j - 2)
            && typed.charAt(i - 2) == name.charAt(j - 1)) {
          cur[j] = Math.min(cur[j], prev[j - 1]);
        }
      }
      prev = cur;
    }
    return prev[name.length()] <= Math.max(1, name.length() / 3);
  }

  @Override
  public void run() {
    // only reached with no sub-command, which execute() turns into "run"
    CommandLine.usage(this, System.out);
  }

  /** The version from the jar's manifest (a development build outside the jar). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"mixrelay " + (v == null ? "(development build)" : v)
          + " (Java " + System.getProperty("java.version") + ")"};
    }
  }
}

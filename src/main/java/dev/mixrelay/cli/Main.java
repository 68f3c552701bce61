package dev.mixrelay.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line: {@code java -jar target/mixrelay.jar [COMMAND] [--config PATH] ...}. With no
 * command (or an option first) it runs the relay.
 */
public final class Main {

  private Main() {}

  static Map<String, Command> commands() {
    Map<String, Command> map = new LinkedHashMap<>();
    for (Command c : List.<Command>of(new RunCommand(), new MockMixpanelCommand(),
        new DeadLettersCommand(), new DemoCommand(), new ImportCommand())) {
      map.put(c.name(), c);
    }
    return map;
  }

  public static void main(String[] argv) throws Exception {
    System.exit(execute(argv));
  }

  static int execute(String[] argv) throws Exception {
    Map<String, Command> commands = commands();
    List<String> args = new ArrayList<>(List.of(argv));
    String name = args.isEmpty() || args.get(0).startsWith("-") ? "run" : args.remove(0);
    if (name.equals("help") || args.contains("--help") || args.contains("-h")) {
      usage(commands);
      return 0;
    }
    Command command = commands.get(name);
    if (command == null) {
      System.err.println("mixrelay: unknown command '" + name + "'");
      usage(commands);
      return 2;
    }
    return command.run(args);
  }

  private static void usage(Map<String, Command> commands) {
    StringBuilder sb = new StringBuilder("usage: java -jar target/mixrelay.jar [COMMAND] [OPTIONS]\n\ncommands:\n");
    commands.values().forEach(c -> sb.append(String.format("  %-16s %s%n", c.name(), c.summary())));
    System.out.print(sb);
  }
}

package dev.mixrelay.cli;

import java.util.List;

/** Reads {@code --name VALUE} and {@code --name=VALUE} options. */
final class Options {
  private Options() {}

  static String value(List<String> args, String name, String fallback) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals(name) && i + 1 < args.size()) {
        return args.get(i + 1);
      }
      if (a.startsWith(name + "=")) {
        return a.substring(name.length() + 1);
      }
    }
    return fallback;
  }

  static boolean flag(List<String> args, String name) {
    return args.contains(name);
  }
}

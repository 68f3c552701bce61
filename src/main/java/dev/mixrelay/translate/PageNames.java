package dev.mixrelay.translate;



import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.config.MixpanelSettings.PageCalls;
import java.util.ArrayList;
import java.util.List;

/**
 * The event names a page or screen call becomes. Options in precedence order: consolidated and
 * trackAllPages ("Loaded a Page"), trackCategorizedPages ("Viewed {category} [{name}] Page"),
 * trackNamedPages ("Viewed {name} Page"); screens say "Screen". {@code first-match} keeps the
 * first matching option, {@code each} keeps every distinct name (Segment's cloud mode). With
 * {@code genericPageName}, any matching option sends the generic "Loaded a Page".
 */
final class PageNames {
  private PageNames() {}

  /** The names to send, in option order; empty when no option matches. */
  static List<String> of(boolean screen, String name, String category,
      MixpanelSettings settings) {
    String kind = screen ? "Screen" : "Page";
    List<String> names = new ArrayList<>(2);
    if (settings.consolidatedPageCalls() || settings.trackAllPages()) {
      names.add("Loaded a " + kind);
    }
    if (settings.trackCategorizedPages() && category != null) {
      names.add("Viewed " + category + (name == null ? "" : " " + name) + " " + kind);
    }
    if (settings.trackNamedPages() && name != null) {
      String named = "Viewed " + name + " " + kind;
      if (!names.contains(named)) {
        names.add(named);
      }
    }
    if (settings.genericPageName() && !names.isEmpty()) {
      // the legacy integration's genericPageName: a matching option sends the generic name
      names.clear();
      names.add("Loaded a " + kind);
    }
    if (settings.pageCalls() == PageCalls.first_match && names.size() > 1) {
      return List.of(names.get(0));
    }
    return names;
  }
}

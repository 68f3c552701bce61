package dev.mixrelay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation's links stay inside the repository: every relative link in README.md and in
 * docs/**.md names a file or directory that exists (relative to the page), and every {@code #anchor}
 * names a heading of the target page by GitHub's rule (lower case, spaces to {@code -}, punctuation
 * other than {@code -} and {@code _} dropped, {@code -1}, {@code -2} for repeated headings). Links in
 * fenced code blocks and inline code are not links; http(s) and mailto links are not checked.
 * README.md stays a front page (at most 220 lines) and keeps the CI's test command.
 */
class DocsLinksTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().normalize();
  private static final int README_MAX_LINES = 220;

  /** {@code [text](target)} or {@code ![alt](target)}; the target ends at whitespace or ')'. */
  private static final Pattern LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern FENCE = Pattern.compile("^ {0,3}(```+|~~~+)");
  private static final Pattern INLINE_CODE = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  record Link(Path page, int line, String target) {
    @Override
    public String toString() {
      return ROOT.relativize(page) + ":" + line + " -> " + target;
    }
  }

  @Test
  void everyRelativeLinkResolvesInsideTheRepository() {
    List<String> broken = new ArrayList<>();
    Map<Path, Set<String>> anchors = new HashMap<>();
    List<Link> links = pages().stream().flatMap(page -> links(page).stream()).toList();
    for (Link link : links) {
      String target = link.target();
      int hash = target.indexOf('#');
      String file = hash < 0 ? target : target.substring(0, hash);
      String anchor = hash < 0 ? null : target.substring(hash + 1);
      Path resolved = file.isEmpty()
          ? link.page()
          : link.page().getParent().resolve(URLDecoder.decode(file, StandardCharsets.UTF_8)).normalize();
      if (!resolved.startsWith(ROOT)) {
        broken.add(link + " (outside the repository)");
      } else if (!Files.exists(resolved)) {
        broken.add(link + " (no such file)");
      } else if (anchor != null && !anchor.isEmpty()) {
        if (!resolved.toString().endsWith(".md") || Files.isDirectory(resolved)) {
          broken.add(link + " (an anchor into a page that is not markdown)");
        } else if (!anchors.computeIfAbsent(resolved, DocsLinksTest::headingAnchors)
            .contains(URLDecoder.decode(anchor, StandardCharsets.UTF_8))) {
          broken.add(link + " (no heading with this anchor; the page has "
              + anchors.get(resolved) + ")");
        }
      }
    }
    assertThat(links).as("links found in README.md and docs/").isNotEmpty();
    assertThat(broken).as("broken links").isEmpty();
  }

  @Test
  void readmeIsAFrontPage() throws IOException {
    List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
    assertThat(lines.size()).as("lines in README.md").isLessThanOrEqualTo(README_MAX_LINES);
    // .ci/run runs exactly the README's test command
    assertThat(String.join("\n", lines)).contains("mvn -B verify");
    assertThat(links(ROOT.resolve("README.md"))).as("README.md links into docs/")
        .anyMatch(link -> link.target().startsWith("docs/"));
  }

  @Test
  void theDocsIndexListsEveryPage() {
    Path index = ROOT.resolve("docs/README.md");
    Set<Path> linked = new LinkedHashSet<>();
    for (Link link : links(index)) {
      String file = link.target().replaceFirst("#.*$", "");
      if (!file.isEmpty()) {
        linked.add(index.getParent().resolve(file).normalize());
      }
    }
    List<Path> unlisted = pages().stream()
        .filter(page -> page.startsWith(ROOT.resolve("docs")) && !page.equals(index))
        .filter(page -> !linked.contains(page))
        .map(ROOT::relativize)
        .toList();
    assertThat(unlisted).as("docs pages missing from docs/README.md").isEmpty();
  }

  @Test
  void theCheckerSeesWhatGithubSees() {
    assertThat(slug("Running a cluster (engine: kafka)")).isEqualTo("running-a-cluster-engine-kafka");
    assertThat(slug("What lands in `Mixpanel`")).isEqualTo("what-lands-in-mixpanel");
    assertThat(slug("Sizing the heap, and [GC](gc.md)")).isEqualTo("sizing-the-heap-and-gc");
    assertThat(slug("max_held events -- 2")).isEqualTo("max_held-events----2");
  }

  /** README.md and every markdown page under docs/. */
  private static List<Path> pages() {
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    Path docs = ROOT.resolve("docs");
    if (Files.isDirectory(docs)) {
      try (Stream<Path> files = Files.walk(docs)) {
        files.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p)).sorted()
            .forEach(pages::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return pages;
  }

  /** The relative links of a page, outside fenced code blocks and inline code. */
  static List<Link> links(Path page) {
    List<Link> links = new ArrayList<>();
    String fence = null;
    List<String> lines = read(page);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher f = FENCE.matcher(line);
      if (f.find()) {
        String marker = f.group(1);
        if (fence == null) {
          fence = marker;
          continue;
        }
        if (marker.charAt(0) == fence.charAt(0) && marker.length() >= fence.length()
            && line.strip().equals(marker)) {
          fence = null;
          continue;
        }
      }
      if (fence != null) {
        continue;
      }
      Matcher m = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
      while (m.find()) {
        String target = m.group(2);
        if (!target.isEmpty() && !SCHEME.matcher(target).find()) {
          links.add(new Link(page, i + 1, target));
        }
      }
    }
    return links;
  }

  /** The anchors GitHub gives the headings of a page (outside fenced code blocks). */
  static Set<String> headingAnchors(Path page) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    String fence = null;
    for (String line : read(page)) {
      Matcher f = FENCE.matcher(line);
      if (f.find()) {
        if (fence == null) {
          fence = f.group(1);
          continue;
        }
        if (line.strip().equals(f.group(1)) && f.group(1).charAt(0) == fence.charAt(0)) {
          fence = null;
          continue;
        }
      }
      if (fence != null) {
        continue;
      }
      Matcher h = HEADING.matcher(line);
      if (h.matches()) {
        String base = slug(h.group(2));
        int n = seen.merge(base, 1, Integer::sum) - 1;
        anchors.add(n == 0 ? base : base + "-" + n);
      }
    }
    return anchors;
  }

  /** GitHub's heading anchor: the rendered text, lower case, spaces to '-', other punctuation dropped. */
  static String slug(String heading) {
    String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // a link renders as its text
    StringBuilder out = new StringBuilder();
    for (int cp : text.toLowerCase(Locale.ROOT).codePoints().toArray()) {
      if (Character.isLetterOrDigit(cp) || cp == '-' || cp == '_') {
        out.appendCodePoint(cp);
      } else if (cp == ' ') {
        out.append('-');
      }
    }
    return out.toString();
  }

  private static List<String> read(Path page) {
    try {
      return Files.readAllLines(page, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

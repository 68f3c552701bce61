package dev.mixrelay.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The de-duplication key's bits and text, and the full keys of an older state read as keys. */
class DedupKeyTest {
  private static final String FULL = "Viewed Checkout Page\nuser-4711\n1709629200000\n"
      + "0b6f3d2e-7a51-5c2b-9d0e-3f1a2b4c5d6e";
  /** The text the key had when held events kept it as a String (states stored since hold it). */
  private static final String TEXT = "vyqknqdt_-8umW_MC4htBA";

  private static String text(byte[] key) {
    return DedupKey.text(DedupKey.hi(key), DedupKey.lo(key));
  }

  @Test
  void aKeyIs22UrlSafeCharactersBeginningWithTheFullKeysHash() {
    byte[] key = DedupKey.of("Viewed Checkout Page", "user-4711", 1_709_629_200_000L,
        "0b6f3d2e-7a51-5c2b-9d0e-3f1a2b4c5d6e");
    assertThat(text(key)).isEqualTo(TEXT).hasSize(22).matches("[A-Za-z0-9_-]+");
    assertThat(DedupKey.startId(DedupKey.hi(key))).isEqualTo(FULL.hashCode());
  }

  @Test
  void aKeysTextReadsBackAsItsBits() {
    byte[] key = DedupKey.parse(TEXT);
    assertThat(text(key)).isEqualTo(TEXT);
    assertThat(text(DedupKey.parse(FULL))).isEqualTo(TEXT);
  }

  @Test
  void aStoredFullKeyReadsAsTheCompactKeyAndACompactOneAsItself() {
    assertThat(DedupKey.stored(FULL)).isEqualTo(TEXT);
    assertThat(DedupKey.stored(TEXT)).isEqualTo(TEXT);
    assertThat(DedupKey.stored(null)).isNull();
  }

  @Test
  void keysDifferWhenAnyPartDiffers() {
    String key = text(DedupKey.of("View", "u", 1L, "i"));
    assertThat(text(DedupKey.of("View", "u", 1L, "j"))).isNotEqualTo(key);
    assertThat(text(DedupKey.of("View", "u", 2L, "i"))).isNotEqualTo(key);
    assertThat(text(DedupKey.of("View", "v", 1L, "i"))).isNotEqualTo(key);
    assertThat(text(DedupKey.of("Click", "u", 1L, "i"))).isNotEqualTo(key);
  }
}

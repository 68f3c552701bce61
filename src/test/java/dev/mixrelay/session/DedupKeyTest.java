package dev.mixrelay.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The compact de-duplication key, and the full keys of an older state read as compact ones. */
class DedupKeyTest {
  private static final String FULL = "Viewed Checkout Page\nuser-4711\n1709629200000\n"
      + "0b6f3d2e-7a51-5c2b-9d0e-3f1a2b4c5d6e";

  @Test
  void aKeyIs22UrlSafeCharactersBeginningWithTheFullKeysHash() {
    String key = DedupKey.of("Viewed Checkout Page", "user-4711", 1_709_629_200_000L,
        "0b6f3d2e-7a51-5c2b-9d0e-3f1a2b4c5d6e");
    assertThat(key).hasSize(22).matches("[A-Za-z0-9_-]+");
    assertThat(DedupKey.startId(key)).isEqualTo(FULL.hashCode());
  }

  @Test
  void aStoredFullKeyReadsAsTheCompactKeyAndACompactOneAsItself() {
    String key = DedupKey.of("Viewed Checkout Page", "user-4711", 1_709_629_200_000L,
        "0b6f3d2e-7a51-5c2b-9d0e-3f1a2b4c5d6e");
    assertThat(DedupKey.stored(FULL)).isEqualTo(key);
    assertThat(DedupKey.stored(key)).isEqualTo(key);
    assertThat(DedupKey.stored(null)).isNull();
  }

  @Test
  void keysDifferWhenAnyPartDiffers() {
    String key = DedupKey.of("View", "u", 1L, "i");
    assertThat(DedupKey.of("View", "u", 1L, "j")).isNotEqualTo(key);
    assertThat(DedupKey.of("View", "u", 2L, "i")).isNotEqualTo(key);
    assertThat(DedupKey.of("View", "v", 1L, "i")).isNotEqualTo(key);
    assertThat(DedupKey.of("Click", "u", 1L, "i")).isNotEqualTo(key);
  }
}

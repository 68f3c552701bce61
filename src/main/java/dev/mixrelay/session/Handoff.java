package dev.mixrelay.session;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A device's session travelling to the task that owns the user it was linked to (see "Split over
 * tasks" in {@code package-info.java}): made by {@link Sessionizer#takeHandoffs}, given to the
 * owner of {@link #userKey} with {@link Sessionizer#adopt}. Its identity is (userKey, deviceKey,
 * time); a receiver ignores one it already adopted.
 *
 * @param userKey the user the device was linked to; route the handoff to the task owning it
 * @param deviceKey the key the session was kept under ({@code $device:}+device id, or the bare
 *     anonymous id of an original-mode identify)
 * @param time the linking event's time (epoch ms)
 * @param state the device's open session, serialized; null when it had none live at {@code time}
 */
public record Handoff(String userKey, String deviceKey, long time, byte[] state) {
  private static final int MAGIC = 0x4d52484f; // "MRHO"
  /** Layout of {@link #toBytes}; {@code state} is a user state as {@code StateCodec} writes it. */
  private static final int VERSION = 1;

  public Handoff {
    Objects.requireNonNull(userKey, "userKey");
    Objects.requireNonNull(deviceKey, "deviceKey");
    state = state == null ? null : state.clone();
  }

  @Override
  public byte[] state() {
    return state == null ? null : state.clone();
  }

  /** Whether a live device session travels with it. */
  public boolean carriesSession() {
    return state != null;
  }

  /** The bytes of a Kafka record value; {@link #fromBytes} reads them back. */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes =
        new ByteArrayOutputStream(64 + (state == null ? 0 : state.length));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      StateCodec.writeString(out, userKey);
      StateCodec.writeString(out, deviceKey);
      out.writeLong(time);
      StateCodec.writeVarLong(out, state == null ? 0 : state.length + 1L);
      if (state != null) {
        out.write(state);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads {@link #toBytes}.
   *
   * @throws IllegalArgumentException when the bytes are not a handoff of this version
   */
  public static Handoff fromBytes(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != MAGIC || in.readInt() != VERSION) {
        throw new IllegalArgumentException("not a session handoff of version " + VERSION);
      }
      String user = StateCodec.readRaw(in);
      String device = StateCodec.readRaw(in);
      long time = in.readLong();
      long n = StateCodec.readVarLong(in);
      if (user == null || device == null || n - 1 > in.available()) {
        throw new IOException("truncated");
      }
      byte[] state = n == 0 ? null : in.readNBytes((int) (n - 1));
      return new Handoff(user, device, time, state);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a readable session handoff: " + e.getMessage(), e);
    }
  }

  /** The identity a receiver de-duplicates by. */
  String id() {
    return id(userKey, deviceKey, time);
  }

  static String id(String userKey, String deviceKey, long time) {
    return userKey.length() + ":" + userKey + "\n" + deviceKey + "\n" + time;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Handoff h && time == h.time && userKey.equals(h.userKey)
        && deviceKey.equals(h.deviceKey) && Arrays.equals(state, h.state);
  }

  @Override
  public int hashCode() {
    return Objects.hash(userKey, deviceKey, time) * 31 + Arrays.hashCode(state);
  }

  @Override
  public String toString() {
    return "Handoff[" + deviceKey + " -> " + userKey + " at " + time
        + (state == null ? ", no session]" : ", " + state.length + " bytes]");
  }
}

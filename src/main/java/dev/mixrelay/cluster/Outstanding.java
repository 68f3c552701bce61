package dev.mixrelay.cluster;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Records handed to delivery by one task and not yet done (delivered or dead-lettered), and the
 * waits on them: the commit barrier waits for none, intake of new input waits while too many are.
 * Sends complete on delivery's event loop; waits happen on the task's stream thread.
 */
final class Outstanding {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private long records;
  private Throwable failure;

  void add(int n) {
    lock.lock();
    try {
      records += n;
    } finally {
      lock.unlock();
    }
  }

  void done(int n, Throwable error) {
    lock.lock();
    try {
      records -= n;
      if (error != null && failure == null) {
        failure = error;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  long records() {
    lock.lock();
    try {
      return records;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until at most {@code max} records are outstanding.
   *
   * @throws IllegalStateException when a send failed (delivery closed: nothing may be committed)
   *     or the wait passed {@code timeoutMillis}
   */
  void awaitAtMost(long max, long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    lock.lock();
    try {
      while (records > max && failure == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(records + " records still not delivered after "
              + timeoutMillis + " ms; the task's offsets are not committed and it starts over");
        }
        changed.awaitNanos(left);
      }
      if (failure != null) {
        throw new IllegalStateException("delivery failed: " + failure.getMessage(), failure);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for delivery", e);
    } finally {
      lock.unlock();
    }
  }
}

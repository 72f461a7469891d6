package dev.courier.mqtt.benchmark;

import java.util.Arrays;

/**
 * Log-linear histogram of non-negative long values (nanoseconds), with a relative bucket width of at most
 * 1/64 (~1.6 %), constant memory and O(1) recording. Values below 128 are stored exactly; above that each power
 * of two is split into 64 equal sub-buckets. The exact minimum, maximum and sum are kept on the side.
 *
 * <p>Not thread-safe: each instance is written by one thread only (the owning channel's event loop) and merged
 * afterwards.
 */
public final class LatencyHistogram {

    private static final int EXACT_LIMIT = 128;      // values [0,128) have their own bucket
    private static final int SUB_BUCKETS = 64;       // sub-buckets per power of two above the exact range
    private static final int SUB_BITS = 6;
    /** Highest bit position of a positive long is 62; shifts run from 1 to 56. */
    private static final int BUCKETS = EXACT_LIMIT + 56 * SUB_BUCKETS;

    private final long[] counts = new long[BUCKETS];
    private long count;
    private long sum;
    private long min = Long.MAX_VALUE;
    private long max = Long.MIN_VALUE;

    static int indexOf(long value) {
        if (value < EXACT_LIMIT) {
            return (int) value;
        }
        int msb = 63 - Long.numberOfLeadingZeros(value);  // >= 7
        int shift = msb - SUB_BITS;                         // >= 1
        int top = (int) (value >>> shift);                  // in [64, 127]
        return EXACT_LIMIT + (shift - 1) * SUB_BUCKETS + (top - SUB_BUCKETS);
    }

    /** Smallest value that falls into the bucket. */
    static long lowerBound(int index) {
        if (index < EXACT_LIMIT) {
            return index;
        }
        int rel = index - EXACT_LIMIT;
        int shift = rel / SUB_BUCKETS + 1;
        long top = SUB_BUCKETS + (rel % SUB_BUCKETS);
        return top << shift;
    }

    /** Largest value that falls into the bucket. */
    static long upperBound(int index) {
        if (index < EXACT_LIMIT) {
            return index;
        }
        int rel = index - EXACT_LIMIT;
        int shift = rel / SUB_BUCKETS + 1;
        long top = SUB_BUCKETS + (rel % SUB_BUCKETS);
        return ((top + 1) << shift) - 1;
    }

    /** Records a value; negative values (clock skew cannot happen with nanoTime in one process) count as 0. */
    public void record(long value) {
        long v = value < 0 ? 0 : value;
        counts[indexOf(v)]++;
        count++;
        sum += v;
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
    }

    public void merge(LatencyHistogram other) {
        if (other.count == 0) {
            return;
        }
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        count += other.count;
        sum += other.sum;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
    }

    public long count() {
        return count;
    }

    /** Exact maximum, or 0 when empty. */
    public long max() {
        return count == 0 ? 0 : max;
    }

    /** Exact minimum, or 0 when empty. */
    public long min() {
        return count == 0 ? 0 : min;
    }

    public double mean() {
        return count == 0 ? 0 : (double) sum / count;
    }

    /**
     * Value at the given percentile (0 &lt; p &lt;= 100), nearest-rank definition: the smallest recorded value such
     * that at least p % of all values are &lt;= it. Returned as the upper bound of its bucket, clamped to the
     * exact min/max, so the error is below 1/64 of the value. Returns 0 when empty.
     */
    public long percentile(double p) {
        if (count == 0) {
            return 0;
        }
        if (p <= 0) {
            return min;
        }
        long rank = (long) Math.ceil(Math.min(p, 100.0) / 100.0 * count);
        if (rank < 1) {
            rank = 1;
        }
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                long v = upperBound(i);
                return Math.max(min, Math.min(v, max));
            }
        }
        return max;
    }

    public void reset() {
        Arrays.fill(counts, 0);
        count = 0;
        sum = 0;
        min = Long.MAX_VALUE;
        max = Long.MIN_VALUE;
    }
}

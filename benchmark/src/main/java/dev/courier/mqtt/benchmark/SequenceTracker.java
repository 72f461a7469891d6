package dev.courier.mqtt.benchmark;

import java.util.Arrays;

/**
 * Growable bitmap of the sequence numbers received from one publisher. {@link #add(long)} tells whether a
 * sequence number is new (unique) or a duplicate. Not thread-safe (one owner thread).
 */
public final class SequenceTracker {

    private long[] words;
    private long unique;

    public SequenceTracker() {
        this(1024);
    }

    public SequenceTracker(int initialBits) {
        words = new long[Math.max(1, (initialBits + 63) >>> 6)];
    }

    /**
     * Marks {@code seq} as received.
     *
     * @return true when it had not been seen before
     * @throws IllegalArgumentException for negative or absurdly large sequence numbers
     */
    public boolean add(long seq) {
        if (seq < 0 || seq >= (1L << 36)) {
            throw new IllegalArgumentException("sequence number out of range: " + seq);
        }
        int word = (int) (seq >>> 6);
        if (word >= words.length) {
            int newLength = words.length;
            while (newLength <= word) {
                newLength <<= 1;
            }
            words = Arrays.copyOf(words, newLength);
        }
        long bit = 1L << (seq & 63);
        long w = words[word];
        if ((w & bit) != 0) {
            return false;
        }
        words[word] = w | bit;
        unique++;
        return true;
    }

    public boolean contains(long seq) {
        if (seq < 0) {
            return false;
        }
        int word = (int) (seq >>> 6);
        return word < words.length && (words[word] & (1L << (seq & 63))) != 0;
    }

    /** Number of distinct sequence numbers added. */
    public long unique() {
        return unique;
    }

    /** Smallest sequence number in [0, expected) that was not received, or -1 when none is missing. */
    public long firstMissing(long expected) {
        for (int i = 0; i < words.length && ((long) i << 6) < expected; i++) {
            long inverted = ~words[i];
            if (inverted != 0) {
                long seq = ((long) i << 6) + Long.numberOfTrailingZeros(inverted);
                return seq < expected ? seq : -1;
            }
        }
        long next = (long) words.length << 6;
        return next < expected ? next : -1;
    }

    /** Number of sequence numbers in [0, expected) that were not received. */
    public long missingBelow(long expected) {
        long present = 0;
        int fullWords = (int) Math.min(words.length, expected >>> 6);
        for (int i = 0; i < fullWords; i++) {
            present += Long.bitCount(words[i]);
        }
        int rest = (int) (expected & 63);
        if (rest != 0 && fullWords < words.length && fullWords == (int) (expected >>> 6)) {
            present += Long.bitCount(words[fullWords] & ((1L << rest) - 1));
        }
        return expected - present;
    }
}

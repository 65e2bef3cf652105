package org.infllava.crop;

import org.infllava.io.InvalidInputException;

/** Argument checks the strategies share. */
final class Checks {

    private Checks() {}

    /** An image size must be positive. */
    static void positive(int width, int height) {
        if (width < 1 || height < 1) {
            throw new InvalidInputException("image size must be positive, got " + width + "x" + height);
        }
    }

    /** A sub-image size must be positive; {@code -1} means it was never set. */
    static void subSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException(size == -1 ? "setSubImageSize is required (e.g. 336)"
                    : "sub-image size must be positive, got " + size);
        }
    }
}

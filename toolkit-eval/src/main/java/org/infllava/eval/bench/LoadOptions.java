package org.infllava.eval.bench;

/**
 * How benchmark files are read.
 *
 * @param strict stop at the first malformed row with an {@link org.infllava.io.InvalidInputException} naming the
 *     file, the line (or entry) and the problem; otherwise malformed rows are skipped and counted by reason
 * @param images keep images that live inside the data file (MMBench's base64 column); off saves memory when only
 *     scoring
 */
public record LoadOptions(boolean strict, boolean images) {

    /** Lenient, images kept. */
    public static LoadOptions defaults() {
        return builder().build();
    }

    /** A builder with the defaults: lenient, images kept. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link LoadOptions}. */
    public static final class Builder {
        private boolean strict;
        private boolean images = true;

        private Builder() {}

        /** Stop at the first malformed row (default: skip and count). */
        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /** Keep images stored in the data file (default: true). */
        public Builder images(boolean images) {
            this.images = images;
            return this;
        }

        public LoadOptions build() {
            return new LoadOptions(strict, images);
        }
    }
}

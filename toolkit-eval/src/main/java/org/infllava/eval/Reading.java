package org.infllava.eval;

import java.util.Locale;

/**
 * How answers are read and counted. {@link #OFFICIAL} reproduces each benchmark's reference script, quirks included
 * (which script and commit: docs/evaluation.md); {@link #LENIENT} is the toolkit's own, more forgiving reading.
 */
public enum Reading {
    /**
     * The reference script's reading: ScienceQA as LLaVA's {@code eval_science_qa.py}, SEED-Bench as LLaVA's
     * {@code convert_seed_for_submission.py}, TextVQA as {@code eval_textvqa.py} with {@code m4c_evaluator.py},
     * VQA with {@code vqaEval.py} under Python 2, POPE as {@code eval_pope.py}.
     */
    OFFICIAL,
    /**
     * The toolkit's reading: options read from "[B]", "B: cat", "Option B", "b", the option's own text; every
     * question without a prediction counts as wrong; VQA strings handled as Python 3 does.
     */
    LENIENT;

    /** {@code official} or {@code lenient}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reading called {@code name} ({@code official} or {@code lenient}, any case). */
    public static Reading parse(String name) {
        for (Reading r : values()) {
            if (r.label().equalsIgnoreCase(name.strip())) {
                return r;
            }
        }
        throw new IllegalArgumentException("reading must be official or lenient, got '" + name + "'");
    }
}

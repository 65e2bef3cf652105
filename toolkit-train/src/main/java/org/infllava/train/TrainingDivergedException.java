package org.infllava.train;

/** The loss became NaN or infinite: the run stops, and the last checkpoint written stays the last good one. */
public class TrainingDivergedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** With a message naming the step, the loss and where the last good checkpoint is. */
    public TrainingDivergedException(String message) {
        super(message);
    }
}

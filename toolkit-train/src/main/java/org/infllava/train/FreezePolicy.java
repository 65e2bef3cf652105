package org.infllava.train;

import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which weights train: whole components ({@code vision}, {@code dem}, {@code projector}, {@code llm}) and, within
 * them, parameters whose dotted name matches a freeze pattern (a regular expression, e.g.
 * {@code llm\.model\.embed_tokens.*}) stay frozen.
 *
 * @param trainable components that train
 * @param freezePatterns regular expressions of parameter names to keep frozen anyway
 */
public record FreezePolicy(Set<String> trainable, List<String> freezePatterns) {

    /** The components a model has. */
    public static final List<String> COMPONENTS = List.of("vision", "dem", "projector", "llm");

    /** Validates the component names. */
    public FreezePolicy {
        trainable = Set.copyOf(trainable);
        freezePatterns = List.copyOf(freezePatterns);
        for (String c : trainable) {
            if (!COMPONENTS.contains(c)) {
                throw new IllegalArgumentException("unknown component '" + c + "' (expected one of " + COMPONENTS + ")");
            }
        }
        for (String p : freezePatterns) {
            Pattern.compile(p);
        }
    }

    /** Stage 1 of the paper: DEM and projector. */
    public static FreezePolicy stage1() {
        return new FreezePolicy(Set.of("dem", "projector"), List.of());
    }

    /** Stage 2 of the paper: DEM, projector and LLM. */
    public static FreezePolicy stage2() {
        return new FreezePolicy(Set.of("dem", "projector", "llm"), List.of());
    }

    /**
     * {@code base} with LoRA adapters on the {@code adapted} components: those components join the trainable ones,
     * but within them only the adapter matrices ({@code *.lora_A.weight}, {@code *.lora_B.weight}) train; every base
     * weight stays frozen. The other components keep {@code base}'s setting (LLaVA trains its projector fully).
     */
    public static FreezePolicy withAdapters(FreezePolicy base, Set<String> adapted) {
        Set<String> trainable = new java.util.LinkedHashSet<>(base.trainable());
        List<String> patterns = new java.util.ArrayList<>(base.freezePatterns());
        for (String c : adapted) {
            trainable.add(c);
            patterns.add(Pattern.quote(c + ".") + "(?!.*\\.lora_[AB]\\.weight$).*"); // c.*, but for adapter matrices
        }
        return new FreezePolicy(trainable, patterns);
    }

    /**
     * Splits parameters named {@code component.name} into trainable and frozen, and sets their gradient flags:
     * frozen arrays record no gradient.
     *
     * @return the trainable ones, in the given order
     */
    public Map<String, Parameter> apply(Map<String, Parameter> all) {
        List<Pattern> patterns = freezePatterns.stream().map(Pattern::compile).toList();
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : all.entrySet()) {
            String component = e.getKey().substring(0, e.getKey().indexOf('.'));
            boolean train = trainable.contains(component)
                    && patterns.stream().noneMatch(p -> p.matcher(e.getKey()).matches());
            e.getValue().freeze(!train); // DJL's flag, which ParameterStore consults in training mode
            e.getValue().getArray().setRequiresGradient(train);
            if (train) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }
}

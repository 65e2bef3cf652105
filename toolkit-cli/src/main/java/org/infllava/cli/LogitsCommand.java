package org.infllava.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.model.LlamaDecoder;
import org.infllava.train.lora.Lora;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infllava logits}: LLM logits of a token sequence (LLaMA, Mistral or Qwen2, by config.json). */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Logits of a LlamaForCausalLM, MistralForCausalLM or Qwen2ForCausalLM directory (optionally with a "
                + "PEFT LoRA adapter) for --ids or "
                + "--text (tokenised with DIR/tokenizer.json, no special tokens added); writes (T, vocab) float32 .npy.")
final class LogitsCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DeviceOption deviceOption = new DeviceOption();

    @Option(names = "--llm", required = true, paramLabel = "DIR", description = "LLaMA, Mistral or Qwen2 directory.")
    Path llm;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--ids", paramLabel = "1,2,3", split = ",", description = "Token ids.")
        long[] ids;

        @Option(names = "--text", paramLabel = "TEXT", description = "Text, tokenised with DIR/tokenizer.json.")
        String text;
    }

    @Option(names = "--out", required = true, paramLabel = "L.npy", description = "Output (T, vocab).")
    Path out;

    @Option(names = "--adapter", paramLabel = "PEFT_DIR",
            description = "A PEFT LoRA adapter directory (adapter_config.json, adapter_model.safetensors) for the LLM.")
    Path adapter;

    @Option(names = "--merge", description = "Fold the adapter into the base weights (W + alpha/r·B·A) before "
            + "scoring, instead of applying it beside them.")
    boolean merge;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (NDManager m = deviceOption.newManager()) {
            if (merge && adapter == null) {
                throw new InvalidInputException("--merge needs --adapter");
            }
            LlamaDecoder dec = LlamaDecoder.fromPretrained(llm, m);
            if (adapter != null) {
                Lora lora = Lora.load(adapter, Map.of("llm", dec), m);
                if (merge) {
                    lora.merge();
                }
            }
            int vocab = dec.config().vocabSize();
            long[] ids = input.ids;
            if (input.text != null) {
                try (TextTokenizer tok = TextTokenizer.load(llm)) {
                    tok.checkFits(vocab, llm.resolve("config.json"));
                    ids = tok.encode(input.text);
                }
            }
            if (ids.length == 0) {
                throw new InvalidInputException("no tokens to score (empty --ids or --text)");
            }
            for (long id : ids) {
                if (id < 0 || id >= vocab) {
                    throw new InvalidInputException("--ids: token " + id + " is outside the vocabulary 0.." + (vocab - 1));
                }
            }
            NDArray logits = dec.logits(new ParameterStore(m, false), m.create(ids, new Shape(1, ids.length)), null,
                    null, null, false).squeeze(0); // (T, V)
            Outputs.writeNpy(out, new HostTensor(logits.getShape().getShape(), logits.toFloatArray()));
            spec.commandLine().getOut().printf("%d tokens %s -> %s %s%n", ids.length,
                    Arrays.toString(ids.length > 12 ? Arrays.copyOf(ids, 12) : ids), out, logits.getShape());
        }
        return 0;
    }
}

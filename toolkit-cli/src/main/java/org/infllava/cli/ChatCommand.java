package org.infllava.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.GenerationConfig;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.ImageFiles;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.ModelDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infllava chat}: one question about one image, the answer streamed to stdout. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Ask an INF-LLaVA model about an image; streams the answer to stdout.")
final class ChatCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DeviceOption deviceOption = new DeviceOption();

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "INF-LLaVA directory: LLM shards, adapter (mm_projector.*, spatial_embed.*), tokenizer.json.")
    Path model;

    @Option(names = "--vision", paramLabel = "DIR",
            description = "CLIP tower directory; default: the config's mm_vision_tower when it is a local directory.")
    Path vision;

    @Option(names = "--image", required = true, paramLabel = "IMG", description = "The image.")
    Path image;

    @Option(names = "--prompt", required = true, description = "The question; <image> is prepended when absent.")
    String prompt;

    @Option(names = "--template", description = "Chat template (default: the one the model directory records, else "
            + "llama3).")
    String template;

    @Option(names = "--max-new-tokens", defaultValue = "128", description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--adapter", paramLabel = "PEFT_DIR", description = "A PEFT LoRA adapter directory (for the "
            + "LLM and/or the vision tower), merged into the weights before generating.")
    Path adapter;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path tower = vision != null ? vision : ModelDirectory.visionDir(model);
        ChatTemplate tpl = ModelDirectory.chatTemplate(model, template);
        var img = ImageFiles.read(image);
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager m = deviceOption.newManager(); TextTokenizer tok = TextTokenizer.load(model)) {
            InfLlavaModel mdl = InfLlavaModel.fromPretrained(model, tower, m);
            if (adapter != null) {
                org.infllava.train.lora.Lora.load(adapter, mdl, m).merge();
            }
            tok.checkFits(mdl.llm().config().vocabSize(), model.resolve("config.json"));
            String question = prompt.contains(ChatTemplate.IMAGE_PLACEHOLDER) ? prompt
                    : ChatTemplate.IMAGE_PLACEHOLDER + "\n" + prompt;
            long[] ids = tpl.render(List.of(new ChatTemplate.Turn(ChatTemplate.Role.USER, question)), tok, true).ids();
            GenerationConfig gen = new GenerationConfig(maxNewTokens, temperature, 0, topP, seed,
                    ModelDirectory.stopTokens(model, tok, tpl));
            List<Long> sofar = new ArrayList<>();
            StringBuilder printed = new StringBuilder();
            mdl.generate(new ParameterStore(m, false), m, ids, List.of(img), gen, (row, token) -> {
                if (gen.isStop(token)) {
                    return;
                }
                sofar.add(token);
                String text = tok.decode(sofar.stream().mapToLong(Long::longValue).toArray(), true);
                if (text.startsWith(printed.toString())) {
                    out.print(text.substring(printed.length()));
                    out.flush();
                    printed.setLength(0);
                    printed.append(text);
                }
            });
            out.println();
        }
        return 0;
    }
}

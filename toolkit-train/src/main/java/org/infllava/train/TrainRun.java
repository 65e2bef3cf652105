package org.infllava.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.infllava.data.LlavaDataset;
import org.infllava.data.SampleEncoder;
import org.infllava.data.SynthCaptions;
import org.infllava.dem.DemPresets;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.InvalidInputException;
import org.infllava.model.ClipVisionConfig;
import org.infllava.model.Devices;
import org.infllava.model.ClipVisionEncoder;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.LlamaConfig;
import org.infllava.model.LlamaDecoder;
import org.infllava.model.MlpProjector;
import org.infllava.train.lora.Lora;

/** Builds and runs a {@link Trainer} from a {@link RunConfig}: data (synthesised when asked and missing), model. */
public final class TrainRun {

    private TrainRun() {}

    /**
     * The first device a config asks for ({@code auto}: a GPU when one is present; a list such as {@code gpu:0,gpu:1}
     * trains data-parallel, see {@link #prepare}); a GPU that is not there is an {@link InvalidInputException}.
     */
    public static Device device(String name) {
        return Devices.list(name).get(0);
    }

    /**
     * Prepares a trainer for a config in {@code runDir}.
     *
     * @param manager owns the model and optimizer state; on the config's first device
     */
    public static Trainer prepare(RunConfig c, Path runDir, NDManager manager, PrintWriter out) {
        RunConfig.DataSpec d = c.data();
        if (!Files.exists(d.file())) {
            if (d.synthSamples() <= 0) {
                throw new InvalidInputException(d.file(), "no such data file");
            }
            out.printf("writing %d synthetic samples to %s%n", d.synthSamples(), d.file().getParent());
            SynthCaptions.write(d.file().getParent(), d.synthSamples(), d.synthSize(), c.model().grid(), c.seed());
        }
        Path tokFile = d.tokenizer() != null ? d.tokenizer() : c.model().llmDir();
        if (tokFile == null) {
            throw new InvalidInputException("data.tokenizer is needed when model.llm is random");
        }
        TextTokenizer tok = TextTokenizer.load(tokFile);
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) c.seed());
        ClipVisionEncoder vision;
        if (c.model().visionDir() != null) {
            vision = ClipVisionEncoder.fromPretrained(c.model().visionDir(), manager);
        } else {
            vision = new ClipVisionEncoder(ClipVisionConfig.fromJson(c.model().visionRandom(), Path.of("model.vision")));
            vision.initialize(manager, c.seed());
        }
        LlamaDecoder llm;
        if (c.model().llmDir() != null) {
            llm = LlamaDecoder.fromPretrained(c.model().llmDir(), manager);
        } else {
            JsonObject r = c.model().llmRandom().deepCopy();
            if (!r.has("vocab_size")) {
                r.addProperty("vocab_size", tok.vocabSize());
            }
            llm = new LlamaDecoder(LlamaConfig.fromJson(r, Path.of("model.llm")));
            llm.initialize(manager, c.seed() + 1);
        }
        tok.checkFits(llm.config().vocabSize(), c.model().llmDir() == null ? Path.of("model.llm.random")
                : c.model().llmDir().resolve("config.json"));
        int dv = vision.config().hiddenSize();
        MlpProjector projector = new MlpProjector(MlpProjector.parseType(c.model().projector()), dv,
                llm.config().hiddenSize());
        projector.initialize(manager, c.seed() + 2);
        int grid = c.model().grid();
        DualPerspectiveEnhancement dem = switch (c.model().dem()) {
            case "paper" -> DemPresets.paper(dv, grid, grid);
            case "reference" -> DemPresets.reference(dv, grid, grid, dv % 8 == 0 ? 8 : 1);
            default -> null;
        };
        if (dem != null) {
            dem.initialize(manager, c.seed() + 3);
        }
        InfLlavaModel model = InfLlavaModel.builder().setVisionEncoder(vision).setLlm(llm).setProjector(projector)
                .optDem(dem).optReferenceLowRes("reference".equals(c.model().dem())).build();
        LlavaDataset data = LlavaDataset.load(d.file(), d.imageRoot(), d.strict());
        out.println("data: " + data.report().summary());
        data.report().firstProblems().stream().limit(3).forEach(p -> out.println("  skipped " + p));
        int g = vision.config().gridSize();
        SampleEncoder enc = new SampleEncoder(ChatTemplate.get(d.template()), tok, g * g, d.maxLength());
        Lora lora = null;
        if (c.lora() != null) {
            lora = Lora.attach(c.lora().config(), model, manager, c.seed() + 4);
            out.printf("LoRA: r %d, alpha %s on %d matrices of %s%n", c.lora().config().rank(),
                    c.lora().config().alpha(), lora.parameters().size(), c.lora().config().components());
        }
        Trainer trainer = new Trainer(model, c.train(), data, enc, manager, runDir, c.json(), out);
        if (lora != null) {
            trainer.setLora(lora, c.model().llmDir() == null ? "" : c.model().llmDir().toString());
            if (c.lora().projectorLr() != null) {
                trainer.setPeakLr("projector.", c.lora().projectorLr());
            }
        }
        if (c.precision().equals("fp16")) {
            trainer.enableMixedPrecision(1024);
        }
        java.util.List<Device> devices = Devices.list(c.device());
        if (devices.size() > 1) {
            if (c.precision().equals("fp16")) {
                throw new InvalidInputException("device " + c.device() + " with precision fp16: data parallelism runs "
                        + "in fp32 (fp16 master weights are not combined with replicas yet)");
            }
            out.println("data parallel on " + devices + ": global batch " + c.train().batchSize() + " split "
                    + DataParallel.split(new int[c.train().batchSize()], devices.size()).stream()
                            .map(b -> String.valueOf(b.length)).toList());
            trainer.enableDataParallel(devices);
        }
        return trainer;
    }
}

package org.infllava.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.infllava.data.Batches;
import org.infllava.data.LlavaDataset;
import org.infllava.data.SampleEncoder;
import org.infllava.infer.ChatTemplate;
import org.infllava.io.HostTensor;
import org.infllava.io.ImageFiles;
import org.infllava.io.InvalidInputException;
import org.infllava.io.SafeTensors;
import org.infllava.model.InfLlavaModel;
import org.infllava.nn.NamedBlock;

/**
 * The training loop: length-grouped batches in a seeded order, loss on the assistant's tokens only, gradient
 * accumulation, global-norm clipping, AdamW with warm-up and cosine, a progress line with ETA, metrics JSONL, and
 * atomic checkpoints (trainable weights, optimizer state, position) from which a run resumes exactly.
 *
 * <p>Every micro-batch runs inside an {@link NDScope}, so native memory stays flat over a run.
 */
public final class Trainer {

    /**
     * One optimizer step's record.
     *
     * @param step 1-based optimizer step
     * @param loss mean loss over its micro-batches
     * @param lr learning rate used
     * @param gradNorm global gradient norm before clipping
     * @param tokens supervised tokens
     * @param seconds wall time of the step
     */
    public record StepLog(int step, float loss, double lr, double gradNorm, long tokens, double seconds) {}

    private final InfLlavaModel model;
    private final TrainSettings settings;
    private final LlavaDataset data;
    private final SampleEncoder encoder;
    private final NDManager manager;
    private final Path runDir;
    private final PrintWriter out;
    private final Map<String, Parameter> all;
    private final Map<String, Parameter> trainable;
    private final AdamW optimizer;
    private final List<SampleEncoder.Encoded> encoded = new ArrayList<>();
    private final int[] lengths;
    private final List<StepLog> history = new ArrayList<>();
    private final JsonObject config;
    private MixedPrecision mixed;
    private org.infllava.train.lora.Lora lora;
    private String loraBase = "";
    private DataParallel parallel;
    private int step;
    private org.infllava.io.AtomicFiles.Opener opener;
    /** Decoded training images by path, when {@link #enableImageCache} was called. */
    private Map<Path, BufferedImage> imageCache;

    private java.util.function.Consumer<StepLog> stepListener = log -> { };

    /**
     * A trainer.
     *
     * @param config the run's configuration as JSON, saved beside every checkpoint (may be empty)
     * @param runDir where metrics, provenance and checkpoints go
     * @param out progress output
     */
    public Trainer(InfLlavaModel model, TrainSettings settings, LlavaDataset data, SampleEncoder encoder,
            NDManager manager, Path runDir, JsonObject config, PrintWriter out) {
        this.model = model;
        this.settings = settings;
        this.data = data;
        this.encoder = encoder;
        this.manager = manager;
        this.runDir = runDir;
        this.config = config;
        this.out = out;
        if (data.rows().isEmpty()) {
            throw new InvalidInputException(data.file(), "no usable rows: " + data.report().summary());
        }
        this.all = parameters(model);
        this.trainable = settings.freeze().apply(all);
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("nothing to train: components " + settings.freeze().trainable()
                    + " have no parameters after the freeze patterns");
        }
        this.optimizer = new AdamW(trainable, manager, 0.9, 0.999, 1e-8, settings.weightDecay());
        lengths = new int[data.rows().size()];
        for (int i = 0; i < lengths.length; i++) {
            SampleEncoder.Encoded e = encoder.encode(data.rows().get(i));
            encoded.add(e);
            lengths[i] = e.expandedLength();
        }
    }

    /**
     * Keeps every decoded training image in memory (by path) instead of reading it at every step: for small datasets,
     * and what lets {@link InfLlavaModel#enableFeatureCache} recognise an image it has encoded before.
     */
    public void enableImageCache() {
        this.imageCache = new java.util.HashMap<>();
    }

    private BufferedImage image(Path p) {
        return imageCache == null ? ImageFiles.read(p) : imageCache.computeIfAbsent(p, ImageFiles::read);
    }

    /** Calls {@code listener} after every optimiser step (for progress bars of longer jobs); replaces the previous. */
    public void setStepListener(java.util.function.Consumer<StepLog> listener) {
        this.stepListener = java.util.Objects.requireNonNull(listener);
    }

    /**
     * Every parameter of the model as {@code component.name}; component {@code dem} holds the front-end's token
     * assembler's parameters (the DEM, LLaVA-NeXT's {@code image_newline}; none for parameter-free assemblers).
     */
    public static Map<String, Parameter> parameters(InfLlavaModel model) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        model.vision().namedParameters().forEach((k, p) -> out.put("vision." + k, p));
        // The "dem" component is the front-end's learned token assembler: the DEM, or LLaVA-NeXT's image_newline.
        model.frontEnd().assembler().namedParameters().forEach((k, p) -> out.put("dem." + k, p));
        model.projector().namedParameters().forEach((k, p) -> out.put("projector." + k, p));
        model.llm().namedParameters().forEach((k, p) -> out.put("llm." + k, p));
        return out;
    }

    /**
     * Switches to fp16 mixed precision: float16 working copies for forward and backward, float32 master weights
     * for the optimizer, dynamic loss scaling from {@code initialScale}. Meant for GPUs; it also runs on a CPU.
     */
    public void enableMixedPrecision(double initialScale) {
        if (parallel != null) {
            throw new IllegalStateException("fp16 mixed precision with data parallelism is not implemented");
        }
        mixed = new MixedPrecision(manager, all, trainable, initialScale, 200);
    }

    /**
     * Gives the trainable parameters whose name starts with {@code prefix} (e.g. {@code projector.}) their own peak
     * learning rate, under the same schedule (LLaVA's {@code mm_projector_lr}).
     *
     * @return how many parameters it applies to
     */
    public int setPeakLr(String prefix, double peakLr) {
        int n = 0;
        for (String name : trainable.keySet()) {
            if (name.startsWith(prefix)) {
                optimizer.setLrFactor(name, peakLr / settings.lr());
                n++;
            }
        }
        return n;
    }

    /**
     * Declares the LoRA adapters being trained (already attached to the model): every checkpoint then also holds
     * them in PEFT's layout ({@code adapter_config.json}, {@code adapter_model.safetensors}, naming {@code baseModel}),
     * so a checkpoint directory is an adapter directory.
     */
    public void setLora(org.infllava.train.lora.Lora lora, String baseModel) {
        this.lora = java.util.Objects.requireNonNull(lora);
        this.loraBase = baseModel == null ? "" : baseModel;
    }

    /**
     * Trains data-parallel on {@code devices}: one replica of the weights per device (the first must be the
     * manager's: it is the model itself), each global batch of {@code batchSize} rows split across them, gradients
     * summed onto the first, clipped by their global norm, one AdamW update, the weights copied back to the others.
     * The result equals one-device training with the same global batch (up to float summation order). The same
     * device may appear more than once. Not combined with fp16 mixed precision yet.
     *
     * @throws IllegalStateException after {@link #enableMixedPrecision}, or when called twice
     */
    public void enableDataParallel(List<ai.djl.Device> devices) {
        if (mixed != null) {
            throw new IllegalStateException("data parallelism with fp16 mixed precision is not implemented: use fp32 "
                    + "with several devices, or fp16 on one");
        }
        if (parallel != null) {
            throw new IllegalStateException("data parallelism is already enabled on " + parallel.size() + " devices");
        }
        parallel = new DataParallel(manager, all, trainable, devices);
    }

    /** The replicas (null on one device). */
    public DataParallel parallel() {
        return parallel;
    }

    /** The model being trained. */
    public InfLlavaModel model() {
        return model;
    }

    /** The trainable parameters. */
    public Map<String, Parameter> trainable() {
        return trainable;
    }

    /** Optimizer steps done. */
    public int step() {
        return step;
    }

    /** The record of every step run by this trainer (after a resume, only the new ones). */
    public List<StepLog> history() {
        return history;
    }

    /**
     * Runs until {@code untilStep} optimizer steps are done (at most the configured total), checkpointing as
     * configured and at the end.
     */
    public void run(int untilStep) {
        int target = Math.min(untilStep, settings.steps());
        LrSchedule schedule = settings.schedule();
        int perEpoch = Batches.epoch(lengths, settings.batchSize(), 0, settings.seed(), 0).size();
        long t0 = System.nanoTime();
        int startStep = step;
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new InvalidInputException(runDir, "cannot create the run directory: " + e.getMessage(), e);
        }
        writeProvenance();
        while (step < target) {
            long s0 = System.nanoTime();
            double lr = schedule.at(step);
            float lossSum = 0;
            long tokens = 0;
            for (int micro = 0; micro < settings.accumulation(); micro++) {
                long index = (long) step * settings.accumulation() + micro;
                int epoch = (int) (index / perEpoch);
                List<int[]> batches = Batches.epoch(lengths, settings.batchSize(), settings.groupByLength() ? 4 : 0,
                        settings.seed(), epoch);
                int[] batch = batches.get((int) (index % perEpoch));
                // Random draws (LoRA dropout) depend only on the seed and the micro-batch: a resumed run repeats them.
                Engine.getInstance().setRandomSeed((int) (settings.seed() * 1_000_003L + index));
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        float factor = (float) ((mixed == null ? 1 : mixed.scale()) / settings.accumulation());
                        if (parallel == null) {
                            float[] result = new float[2];
                            NDArray loss = loss(batch, result);
                            gc.backward(loss.mul(NamedBlock.scalar(loss, factor)));
                            lossSum += loss.getFloat(); // documented host read: the loss for the log
                            tokens += (long) result[1];
                        } else {
                            // Each replica's loss is its share of the global batch's mean: token sum / global count.
                            float denominator = 0;
                            for (int i : batch) {
                                denominator += supervisedTokens(i);
                            }
                            NDArray total = null;
                            List<int[]> parts = DataParallel.split(batch, parallel.size());
                            for (int r = 0; r < parts.size(); r++) {
                                if (parts.get(r).length == 0) {
                                    continue;
                                }
                                DataParallel.Replica rep = parallel.replica(r);
                                float[] result = new float[2];
                                NDArray loss = loss(parts.get(r), result, rep.store(), rep.manager(), denominator);
                                gc.backward(loss.mul(NamedBlock.scalar(loss, factor)));
                                tokens += (long) result[1];
                                NDArray here = loss.toDevice(manager.getDevice(), false);
                                total = total == null ? here : total.add(here);
                            }
                            lossSum += total.getFloat(); // documented host read: one per micro-batch, after backward
                        }
                    }
                }
            }
            if (parallel != null) {
                parallel.reduceGradients();
            }
            float meanLoss = lossSum / settings.accumulation();
            if (!Float.isFinite(meanLoss)) {
                throw new TrainingDivergedException("loss is " + meanLoss + " at step " + (step + 1) + " (lr " + lr
                        + "): training stopped; the last good checkpoint is kept under " + runDir.resolve("checkpoints"));
            }
            double norm;
            if (mixed == null) {
                norm = GradientClipping.clipByGlobalNorm(trainable.values(), settings.clipNorm());
                optimizer.step(lr);
                if (parallel != null) {
                    parallel.broadcast();
                }
            } else {
                Map<String, NDArray> grads = mixed.unscaledGradients();
                if (grads == null) { // overflow: skip the update, the scale is halved, the same batch comes again
                    out.printf("step %d: fp16 gradients overflowed, loss scale now %.0f%n", step + 1, mixed.scale());
                    continue;
                }
                norm = GradientClipping.clipGradients(grads.values(), settings.clipNorm());
                optimizer.step(lr, grads);
                grads.values().forEach(NDArray::close);
                mixed.refresh();
            }
            step++;
            double seconds = (System.nanoTime() - s0) / 1e9;
            StepLog log = new StepLog(step, meanLoss, lr, norm, tokens, seconds);
            history.add(log);
            appendMetrics(log);
            progress(log, startStep, target, (System.nanoTime() - t0) / 1e9);
            stepListener.accept(log);
            if ((settings.checkpointEvery() > 0 && step % settings.checkpointEvery() == 0) || step == target) {
                checkpoint();
            }
        }
    }

    /**
     * The mean cross-entropy of next-token prediction on the labelled positions of a batch (right-padded).
     *
     * @param stats receives {@code [0] = loss, [1] = supervised tokens}
     */
    NDArray loss(int[] batch, float[] stats) {
        return loss(batch, stats, mixed != null ? mixed : new ParameterStore(manager, false), manager, 0);
    }

    /**
     * The supervised tokens of row {@code i}: its labelled text tokens, less the first position (nothing predicts
     * it). Known on the host from the encoding, so a data-parallel step normalises without a device round trip.
     */
    int supervisedTokens(int i) {
        SampleEncoder.Encoded e = encoded.get(i);
        int n = 0;
        for (int j = 0; j < e.ids().length; j++) {
            if (e.ids()[j] != ChatTemplate.IMAGE_TOKEN && e.labels()[j] && j > 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * The summed cross-entropy over the labelled positions of {@code batch}, divided by {@code denominator} (or, when
     * it is 0, by the batch's own supervised tokens: the mean), computed with the weights of {@code ps} and inputs
     * created by {@code inputs} (a replica's device).
     */
    NDArray loss(int[] batch, float[] stats, ParameterStore ps, NDManager inputs, float denominator) {
        NDList embeds = new NDList();
        List<long[]> targets = new ArrayList<>();
        int maxLen = 0;
        // Every image of the batch through the encoder in one forward, then each row's embedding with its own.
        List<BufferedImage> images = new ArrayList<>();
        for (int i : batch) {
            for (int k = 0; k < encoded.get(i).images(); k++) {
                images.add(image(data.rows().get(i).images().get(k)));
            }
        }
        List<NDArray> visualTokens = model.visualTokens(ps, inputs, images, true); // (1, T_v, d) each
        int nextImage = 0;
        for (int i : batch) {
            SampleEncoder.Encoded e = encoded.get(i);
            List<NDArray> own = visualTokens.subList(nextImage, nextImage + e.images());
            nextImage += e.images();
            NDArray x = model.embedWith(ps, inputs, e.ids(), own, true); // (1, L, d)
            int len = (int) x.getShape().get(1);
            int textTokens = 0;
            for (long id : e.ids()) {
                textTokens += id == ChatTemplate.IMAGE_TOKEN ? 0 : 1;
            }
            int visual = e.images() == 0 ? 0 : (len - textTokens) / e.images();
            long[] target = new long[len];
            int at = 0;
            for (int j = 0; j < e.ids().length; j++) {
                if (e.ids()[j] == ChatTemplate.IMAGE_TOKEN) {
                    for (int v = 0; v < visual; v++) {
                        target[at++] = -1;
                    }
                } else {
                    target[at++] = e.labels()[j] ? e.ids()[j] : -1;
                }
            }
            embeds.add(x);
            targets.add(target);
            maxLen = Math.max(maxLen, len);
        }
        int b = batch.length;
        long d = embeds.get(0).getShape().get(2);
        // the first position that predicts a labelled token: logits before it (a visual prefix, a prompt) are not
        // computed (LlamaDecoder#forward(..., from))
        int from = maxLen - 2;
        for (long[] t : targets) {
            for (int j = 1; j < t.length; j++) {
                if (t[j] >= 0) {
                    from = Math.min(from, j - 1);
                    break;
                }
            }
        }
        from = Math.max(0, from);
        int w = maxLen - 1 - from; // predicting positions from..maxLen−2
        float[] mask = new float[b * maxLen];
        long[] idx = new long[b * w];
        float[] valid = new float[b * w];
        NDList padded = new NDList();
        for (int r = 0; r < b; r++) {
            NDArray x = embeds.get(r);
            int len = (int) x.getShape().get(1);
            padded.add(len == maxLen ? x : x.concat(inputs.zeros(new Shape(1, maxLen - len, d), x.getDataType()), 1));
            for (int j = 0; j < len; j++) {
                mask[r * maxLen + j] = 1;
            }
            long[] t = targets.get(r);
            for (int j = from + 1; j < len; j++) { // position j - 1 predicts token j
                if (t[j] >= 0) {
                    idx[r * w + j - 1 - from] = t[j];
                    valid[r * w + j - 1 - from] = 1;
                }
            }
        }
        float count = 0;
        for (float v : valid) {
            count += v;
        }
        if (count == 0 && denominator == 0) {
            throw new IllegalStateException("a batch without supervised tokens (rows " + java.util.Arrays.toString(batch)
                    + "): every answer was truncated away; raise maxLength");
        }
        NDArray x = padded.size() == 1 ? padded.get(0) : NDArrays.concat(padded, 0); // (B, L, d)
        NDArray logits = model.llm().forward(ps, x, inputs.create(mask, new Shape(b, maxLen)), null, null, true,
                from); // (B, L-from, V)
        NDArray logp = NamedBlock.slice(logits, new ai.djl.ndarray.index.NDIndex(":, :-1, :")) // (B, w, V)
                .logSoftmax(-1); // positions from..L-2
        // Autograd keeps the index and the weights until backward: copies in PyTorch-owned memory do not depend on
        // DJL keeping the Java-side buffer of an array made from a Java array alive (views of it do not).
        NDArray picked = logp.gather(inputs.create(idx, new Shape(b, w, 1)).duplicate(), -1)
                .reshape(b, w); // (B, w)
        NDArray sum = picked.mul(inputs.create(valid, new Shape(b, w)).toType(picked.getDataType(), true))
                .sum();
        NDArray loss = sum.neg().div(NamedBlock.scalar(sum, denominator > 0 ? denominator : count));
        stats[1] = count;
        return loss;
    }

    private void progress(StepLog log, int startStep, int target, double elapsed) {
        double perStep = elapsed / (log.step() - startStep);
        double eta = perStep * (target - log.step());
        String line = String.format("step %d/%d  loss %.4f  lr %.2e  |g| %.3g  %.0f tok/s  ETA %s", log.step(), target,
                log.loss(), log.lr(), log.gradNorm(), log.tokens() / Math.max(1e-9, log.seconds()),
                ProgressBar.duration(eta));
        if (System.console() != null) {
            int width = 24;
            int filled = (int) Math.round(width * (double) log.step() / target);
            out.print("\r[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + line);
            if (log.step() == target) {
                out.println();
            }
        } else if (log.step() % settings.logEvery() == 0 || log.step() == target || log.step() == startStep + 1) {
            out.println(line);
        }
        out.flush();
    }

    private void appendMetrics(StepLog log) {
        JsonObject j = new JsonObject();
        j.addProperty("step", log.step());
        j.addProperty("loss", log.loss());
        j.addProperty("lr", log.lr());
        j.addProperty("grad_norm", log.gradNorm());
        j.addProperty("tokens", log.tokens());
        j.addProperty("seconds", log.seconds());
        try {
            Files.writeString(runDir.resolve("metrics.jsonl"), j + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new InvalidInputException(runDir.resolve("metrics.jsonl"), "cannot append: " + e.getMessage(), e);
        }
    }

    private void writeProvenance() {
        JsonObject p = new JsonObject();
        p.addProperty("seed", settings.seed());
        p.addProperty("git_commit", Provenance.gitCommit());
        p.addProperty("data_file", data.file().toString());
        p.addProperty("data_sha256", Provenance.sha256(data.file()));
        p.addProperty("data", data.report().summary());
        p.addProperty("java", System.getProperty("java.version"));
        p.addProperty("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        p.add("config", config);
        p.addProperty("trainable_parameters", trainable.values().stream().mapToLong(x -> x.getShape().size()).sum());
        writeJson(runDir.resolve("provenance.json"), p);
    }

    /**
     * Writes a checkpoint (trainable weights, optimizer state, position, provenance; see {@link Checkpoints})
     * atomically with a checksummed manifest, and keeps the last {@code keepLast}.
     */
    public Path checkpoint() {
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        trainable.forEach((k, p) -> weights.put(k, new HostTensor(p.getShape().getShape(),
                p.getArray().toFloatArray())));
        Map<String, HostTensor> opt = optimizer.state();
        if (mixed != null) {
            opt.put("loss_scale", new HostTensor(new long[] {1}, new float[] {(float) mixed.scale()}));
        }
        JsonObject state = new JsonObject();
        state.addProperty("step", step);
        state.addProperty("seed", settings.seed());
        state.add("config", config);
        Map<String, Checkpoints.Content> files = new LinkedHashMap<>();
        files.put("trainable.safetensors", o -> SafeTensors.write(o, weights, Map.of("step", String.valueOf(step)),
                SafeTensors.DType.F32));
        files.put("optimizer.safetensors", o -> SafeTensors.write(o, opt, Map.of(), SafeTensors.DType.F32));
        files.put("state.json", o -> o.write(json(state).getBytes(StandardCharsets.UTF_8)));
        files.put("provenance.json", o -> Files.copy(runDir.resolve("provenance.json"), o));
        if (lora != null) {
            Map<String, HostTensor> adapter = lora.tensors();
            String adapterConfig = lora.configJson(loraBase);
            files.put(org.infllava.train.lora.Lora.WEIGHTS_FILE, o -> SafeTensors.write(o, adapter,
                    Map.of("format", "pt"), SafeTensors.DType.F32));
            files.put(org.infllava.train.lora.Lora.CONFIG_FILE, o -> o.write(adapterConfig.getBytes(
                    StandardCharsets.UTF_8)));
        }
        return checkpoints().write(step, files);
    }

    private Checkpoints checkpoints() {
        Path dir = runDir.resolve("checkpoints");
        return opener == null ? new Checkpoints(dir, settings.keepLast()) : new Checkpoints(dir, settings.keepLast(),
                opener);
    }

    /**
     * Where checkpoint bytes go (fault injection: a full disk, a read-only directory); the default is
     * process-wide {@link org.infllava.io.AtomicFiles#opener()}.
     */
    public void setCheckpointOpener(org.infllava.io.AtomicFiles.Opener opener) {
        this.opener = java.util.Objects.requireNonNull(opener);
    }

    /**
     * Continues from a checkpoint: a {@code step-NNNNNN} directory, or a run directory (its newest checkpoint that
     * verifies against its manifest; newer ones that do not are named on the progress output and skipped). Restores
     * the trainable weights, the optimizer state and the position; frozen weights must come from the same
     * configuration (they are not saved). A run directory without any good checkpoint (a run killed before its
     * first: empty, or with run files but no checkpoint) starts again at step 0. {@code metrics.jsonl} keeps the
     * steps up to the restored one, so a resumed run ends with the loss curve of an uninterrupted one.
     *
     * @throws InvalidInputException naming a given checkpoint that does not verify, or a directory that is neither
     */
    public void resume(Path from) {
        Path ckpt;
        if (Files.exists(from.resolve("trainable.safetensors"))) {
            Checkpoints.verify(from);
            ckpt = from;
        } else {
            boolean runDirectory = Files.isDirectory(from.resolve("checkpoints"))
                    || Files.exists(from.resolve("provenance.json")) || Files.exists(from.resolve("metrics.jsonl"))
                    || isEmptyDirectory(from);
            Path dir = Files.isDirectory(from.resolve("checkpoints")) ? from.resolve("checkpoints") : from;
            if (!Files.isDirectory(dir)) {
                throw new InvalidInputException(from, "no such run directory or checkpoint");
            }
            ckpt = new Checkpoints(dir, 1).latestGood(msg -> {
                out.println(msg);
                out.flush();
            }).orElse(null);
            if (ckpt == null) {
                if (!runDirectory) {
                    throw new InvalidInputException(from, "no checkpoint (step-NNNNNN) to resume from");
                }
                out.println("no good checkpoint in " + from + ": starting again at step 0");
                truncateMetrics(0);
                return;
            }
        }
        Map<String, HostTensor> weights = SafeTensors.read(ckpt.resolve("trainable.safetensors"));
        for (Map.Entry<String, Parameter> e : trainable.entrySet()) {
            HostTensor t = weights.get(e.getKey());
            if (t == null || !java.util.Arrays.equals(t.shape(), e.getValue().getShape().getShape())) {
                throw new InvalidInputException(ckpt.resolve("trainable.safetensors"), "key '" + e.getKey()
                        + "' missing or of another shape than " + e.getValue().getShape() + ": another configuration?");
            }
            e.getValue().getArray().set(FloatBuffer.wrap(t.data()));
        }
        Map<String, HostTensor> opt = SafeTensors.read(ckpt.resolve("optimizer.safetensors"));
        optimizer.load(opt);
        step = optimizer.stepCount();
        if (parallel != null) {
            parallel.broadcastAll(); // the replicas follow the restored weights
        }
        if (mixed != null) {
            HostTensor scale = opt.get("loss_scale");
            if (scale != null) {
                mixed.setScale(scale.data()[0]);
            }
            mixed.refresh(); // the working copies follow the restored masters
        }
        truncateMetrics(step);
    }

    /**
     * Keeps the well-formed lines of {@code metrics.jsonl} up to {@code lastStep} (a killed run may have logged
     * steps after its last checkpoint, or half a line); replaced atomically.
     */
    private void truncateMetrics(int lastStep) {
        Path metrics = runDir.resolve("metrics.jsonl");
        if (!Files.exists(metrics)) {
            return;
        }
        try {
            StringBuilder kept = new StringBuilder();
            for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
                try {
                    JsonObject o = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
                    if (o.get("step").getAsInt() <= lastStep) {
                        kept.append(line).append('\n');
                    }
                } catch (RuntimeException e) {
                    // half a line written when the run was killed
                }
            }
            org.infllava.io.AtomicFiles.writeString(metrics, kept.toString());
        } catch (IOException e) {
            throw new InvalidInputException(metrics, "cannot rewrite: " + e.getMessage(), e);
        }
    }

    private static boolean isEmptyDirectory(Path p) {
        try (java.util.stream.Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static String json(JsonObject json) {
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(json) + "\n";
    }

    private static void writeJson(Path file, JsonObject json) {
        org.infllava.io.AtomicFiles.writeString(file, json(json));
    }
}

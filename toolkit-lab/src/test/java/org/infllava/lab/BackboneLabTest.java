package org.infllava.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.infllava.io.ImageFiles;
import org.infllava.model.ClipVisionConfig;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.LlamaConfig;
import org.infllava.train.ProgressBar;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lab on other backbones: a SigLIP stage-0 tower with a Qwen2 or Mistral LLM trains, answers every test question,
 * and its saved model directory loads back as the same families. SigLIP has no class token, so LLaVA-1.5 on the
 * 28-px, 4-px-patch tower still gets g² = 7² = 49 visual tokens (nothing dropped) and the paper's DEM its 49.
 */
class BackboneLabTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"QWEN2", "MISTRAL"})
    void siglipTowerWithAnotherLlmTrainsAndReloads(String familyName) throws Exception {
        LlamaConfig.Family family = LlamaConfig.Family.valueOf(familyName);
        ClipVisionConfig tower = new ClipVisionConfig(48, 96, 2, 4, 3, 28, 4, "gelu_pytorch_tanh", 1e-6f,
                ClipVisionConfig.Family.SIGLIP);
        LlamaConfig llm = LabSettings.defaults().llm().withFamily(family, family == LlamaConfig.Family.MISTRAL ? 8 : 0);
        LabSettings s = LabSettings.builder().optTrainScenes(8).optTestPerTask(2).optTasks(List.of("glyph"))
                .optQuestionsPerTask(1).optTower(tower).optTowerSteps(2).optLlm(llm).optSteps(2).optBatchSize(2)
                .optControl(false).build();
        List<LabModel> models = List.of(LabModel.llava15(), LabModel.paper());
        Lab lab = Lab.builder().optSettings(s).optModels(models).build();
        Path data = lab.writeData(dir.resolve("data"));
        Path vision = dir.resolve("stage0").resolve("vision");
        ProgressBar quiet = ProgressBar.of(new PrintWriter(Writer.nullWriter()), 1);
        lab.pretrainTower(data, vision, quiet);
        assertTrue(Files.readString(vision.resolve("config.json")).contains("\"siglip_vision_model\""));
        for (LabModel m : models) {
            LabResults.ModelResult r = lab.trainAndScore(m, data, vision, dir.resolve(m.name()), quiet);
            assertEquals(2, r.overall().n(), m.name() + " answered every test question");
            assertTrue(Double.isFinite(r.lastLoss()), m.name() + " loss " + r.lastLoss());
            try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
                InfLlavaModel loaded = InfLlavaModel.fromPretrained(dir.resolve(m.name()).resolve("model"), null, nd);
                assertEquals(family, loaded.llm().config().family());
                assertEquals(family == LlamaConfig.Family.MISTRAL ? 8 : 0, loaded.llm().config().slidingWindow());
                assertEquals(ClipVisionConfig.Family.SIGLIP, loaded.vision().config().family());
                var img = ImageFiles.read(org.infllava.data.LlavaDataset.load(data.resolve("test.json"), data, true)
                        .rows().get(0).images().get(0));
                long tokens = loaded.visualTokens(new ParameterStore(nd, false), nd, img, false).getShape().get(1);
                assertEquals(49, tokens, m.name());
                assertEquals(Lab.cost(m, s).visualTokens(), tokens, m.name());
            }
        }
    }
}

package org.infllava.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.infllava.data.synth.HiResSynth;
import org.infllava.data.synth.Scene;
import org.infllava.model.ClipVisionConfig;
import org.junit.jupiter.api.Test;

class TowerPretrainingTest {

    @Test
    void classesNumberShapesColoursFillsAndGlyphs() {
        // nothing + 3 shapes x 5 colours x 2 fills + 10 characters
        assertEquals(1 + 3 * 5 * 2 + 10, TowerPretraining.classes());
        assertEquals(1 + 1 * 5 + 2, TowerPretraining.cellClass(new Scene.Item(Scene.Shape.DISC, Scene.Hue.BLUE, 0, 0,
                (char) 0))); // DISC is shape 1, BLUE hue 2
        // checkered: shapes 3..5, so a checkered blue disc is (3 + 1) x 5 + 2 + 1
        assertEquals(1 + 4 * 5 + 2, TowerPretraining.cellClass(new Scene.Item(Scene.Shape.DISC, Scene.Hue.BLUE, 0, 0,
                (char) 0, true)));
        assertEquals(31 + HiResSynth.GLYPHS.indexOf('7'), TowerPretraining.cellClass(new Scene.Item(Scene.Shape.GLYPH,
                Scene.Hue.RED, 0, 0, '7')));
        // classes 16..30 are the checkered shapes, and only they
        for (int k = 0; k < TowerPretraining.classes(); k++) {
            assertEquals(k >= 16 && k <= 30, TowerPretraining.isCheckered(k), "class " + k);
        }
    }

    /**
     * A red square in row 1, column 2 of a 6×6 layout at 84 px: cell 14 px, object round(0.45·14) = 6 px drawn from
     * x = round(2·14 + 4) = 32, y = round(14 + 4) = 18, so the box grown by one pixel is x 31..38, y 17..24.
     */
    @Test
    void labelMapCoversTheDrawnBoxGrownByOnePixel() {
        Scene s = new Scene(6, List.of(new Scene.Item(Scene.Shape.SQUARE, Scene.Hue.RED, 1, 2, (char) 0)));
        int[] map = TowerPretraining.labelMap(s, 84);
        int cls = 1; // SQUARE (0) x 5 + RED (0) + 1
        assertEquals(cls, map[17 * 84 + 31]);
        assertEquals(cls, map[24 * 84 + 38]);
        assertEquals(0, map[16 * 84 + 31]);
        assertEquals(0, map[17 * 84 + 39]);
        int covered = 0;
        for (int v : map) {
            covered += v == cls ? 1 : 0;
        }
        assertEquals(8 * 8, covered);
        // the drawn square lies inside the labelled box: its centre pixel has the square's plain fill, the half-way
        // blend of red (210, 30, 30) and white: (233, 143, 143)
        assertEquals(0xE98F8F, s.render(84).getRGB(35, 21) & 0xFFFFFF);
    }

    @Test
    void aShortRunLearnsWhatLiesUnderThePatches() {
        Random r = new Random(3);
        List<Scene> scenes = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            scenes.add(HiResSynth.scene(r));
        }
        ClipVisionConfig tower = new ClipVisionConfig(24, 48, 2, 2, 3, 28, 4, "quick_gelu", 1e-5f);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            TowerPretraining.Result res = TowerPretraining.builder().setEncoderConfig(tower).setScenes(scenes)
                    .optSteps(120).optBatchSize(8).optSeed(2).build().run(m, s -> { });
            // chance over 41 classes is ln 41 = 3.71; most patches are empty, so even the prior drops far below it
            assertTrue(res.firstLoss() > 2.8, "first " + res.firstLoss());
            assertTrue(res.lastLoss() < 0.5 * res.firstLoss(), res.firstLoss() + " -> " + res.lastLoss());
        }
    }

    @Test
    void builderNamesTheMismatchedSizes() {
        ClipVisionConfig tower = new ClipVisionConfig(24, 48, 2, 2, 3, 28, 4, "quick_gelu", 1e-5f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TowerPretraining.builder()
                .setEncoderConfig(tower).setScenes(List.of(HiResSynth.scene(new Random(1)))).optSceneSize(96)
                .build());
        assertTrue(e.getMessage().contains("sceneSize (96)") && e.getMessage().contains("(28)"), e.getMessage());
    }
}

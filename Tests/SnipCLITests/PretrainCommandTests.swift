import Foundation
import SnipModel
import TestSupport
import Testing

struct PretrainCommandTests {
    /// Ctrl-C during training saves a checkpoint and exits cleanly; --resume finishes the run.
    @Test func interruptSavesAndResumeFinishes() throws {
        let directory = freshTemporaryPath("cli-interrupt")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try Subprocess(
            snipExecutable,
            ["pretrain", "--config", "small", "--steps", "100000", "--batch-size", "4", "--out", directory],
            joinErrors: true)
        // wait for a few steps to be logged
        let metrics = directory + "/metrics.jsonl"
        process.wait {
            ((try? String(contentsOfFile: metrics, encoding: .utf8)) ?? "").split(separator: "\n").count >= 3
        }
        process.send(SIGINT)
        let r = process.finish()
        #expect(r.status == 0 && !r.signalled, "\(r.output)")
        #expect(r.output.contains("interrupted at step"))
        #expect(FileManager.default.fileExists(atPath: directory + "/checkpoint.safetensors"))
        let stepsDone = try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n").count
        #expect(stepsDone >= 3)
        let (status, resumed) = try runSnip(["pretrain", "--resume", directory, "--steps", String(stepsDone + 2)])
        #expect(status == 0, "\(resumed)")
        #expect(resumed.contains("resuming \(directory) at step \(stepsDone)"))
        #expect(try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n").count == stepsDone + 2)
        // finishing it with a cool-down: two more steps, the rate falling to 0, whatever --steps says
        let (cooled, cooledSays) = try runSnip(["pretrain", "--resume", directory, "--steps", "100000", "--cooldown", "2"])
        #expect(cooled == 0 && cooledSays.contains("cooling down"), "\(cooledSays)")
        #expect(cooledSays.contains("finished \(stepsDone + 4) steps"), "\(cooledSays)")
        #expect(try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n").count == stepsDone + 4)
        #expect(try String(contentsOfFile: directory + "/run.json", encoding: .utf8).contains("\"cooldown\""))
    }

    /// `--symbolic-layers` deepens the symbolic encoder of a new run; the run and its
    /// checkpoint record it; with `--init-from` it adds layers to the given model (saying so)
    /// and the run starts from the same embeddings; a resumed run and fewer layers than the
    /// model has are refused.
    @Test func symbolicLayersShapeANewRun() throws {
        let directory = freshTemporaryPath("cli-deep")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, says) = try runSnip([
            "pretrain", "--out", directory, "--steps", "2", "--batch-size", "4", "--symbolic-layers", "3",
        ])
        #expect(status == 0, "\(says)")
        #expect(try String(contentsOfFile: directory + "/run.json", encoding: .utf8).contains("\"symbolicLayers\" : 3"))
        let model = try SNIPModel.load(directory + "/checkpoint.safetensors")
        #expect(model.symbolicEncoder.layers.count == 3 && model.numericEncoder.layers.count == 2)
        let (resumed, resumedSays) = try runSnip(["pretrain", "--resume", directory, "--symbolic-layers", "4"])
        #expect(resumed != 0 && resumedSays.contains("--symbolic-layers"), "\(resumedSays)")
        let (bad, badSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-deep2"), "--symbolic-layers", "65"])
        #expect(bad != 0 && badSays.contains("--symbolic-layers"), "\(badSays)")

        let grown = freshTemporaryPath("cli-deep-grown")
        defer { try? FileManager.default.removeItem(atPath: grown) }
        let (started, startedSays) = try runSnip([
            "pretrain", "--out", grown, "--steps", "1", "--batch-size", "4", "--lr", "1e-12",
            "--init-from", directory + "/checkpoint.safetensors", "--symbolic-layers", "5",
        ])
        #expect(started == 0 && startedSays.contains("encoder_f deepened from 3 to 5 layers"), "\(startedSays)")
        let after = try SNIPModel.load(grown + "/checkpoint.safetensors")
        #expect(after.symbolicEncoder.layers.count == 5 && after.numericEncoder.layers.count == 2)
        let formulas = [[20, 21, 22, 23], [24, 25]]
        let (a, b) = (model.encodeSymbolic(formulas).latent.scalars, after.encodeSymbolic(formulas).latent.scalars)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-3 }, "\(a) \(b)")
        let (fewer, fewerSays) = try runSnip([
            "pretrain", "--out", freshTemporaryPath("cli-deep3"), "--steps", "1", "--batch-size", "4",
            "--init-from", directory + "/checkpoint.safetensors", "--symbolic-layers", "2",
        ])
        #expect(fewer != 0 && fewerSays.contains("deeper than its 3 layers"), "\(fewerSays)")
    }

    /// `--symbolic-width` widens the symbolic encoder of a new run; with `--init-from` it grows
    /// the given model's encoder_f (saying so) and the run starts from the same embeddings; a
    /// resumed run, widths the heads do not divide and non-multiples of a model's width are
    /// refused.
    @Test func symbolicWidthShapesANewRunOrGrowsAModel() throws {
        let directory = freshTemporaryPath("cli-wide")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, says) = try runSnip([
            "pretrain", "--out", directory, "--steps", "1", "--batch-size", "4", "--symbolic-width", "96",
        ])
        #expect(status == 0, "\(says)")
        #expect(try String(contentsOfFile: directory + "/run.json", encoding: .utf8).contains("\"symbolicWidth\" : 96"))
        let model = try SNIPModel.load(directory + "/checkpoint.safetensors")
        #expect(model.symbolicEncoder.inputNorm.weight.shape == [96] && model.numericEncoder.inputNorm.weight.shape == [64])

        let plain = freshTemporaryPath("cli-wide-plain")
        let grown = freshTemporaryPath("cli-wide-grown")
        defer {
            try? FileManager.default.removeItem(atPath: plain)
            try? FileManager.default.removeItem(atPath: grown)
        }
        #expect(try runSnip(["pretrain", "--out", plain, "--steps", "1", "--batch-size", "4"]).status == 0)
        let (started, startedSays) = try runSnip([
            "pretrain", "--out", grown, "--steps", "1", "--batch-size", "4", "--lr", "1e-12",
            "--init-from", plain + "/checkpoint.safetensors", "--symbolic-width", "128",
        ])
        #expect(started == 0 && startedSays.contains("encoder_f widened from 64 to 128"), "\(startedSays)")
        let before = try SNIPModel.load(plain + "/checkpoint.safetensors")
        let after = try SNIPModel.load(grown + "/checkpoint.safetensors")
        #expect(after.config.symbolicWidth == 128)
        let formulas = [[20, 21, 22, 23], [24, 25]]
        let (a, b) = (before.encodeSymbolic(formulas).latent.scalars, after.encodeSymbolic(formulas).latent.scalars)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-3 }, "\(a) \(b)")

        for (arguments, reason) in [
            (["--resume", directory, "--steps", "2", "--symbolic-width", "128"], "--symbolic-width shapes a new model"),
            (["--out", freshTemporaryPath("cli-wide2"), "--symbolic-width", "90"], "multiple of heads"),
            (["--out", freshTemporaryPath("cli-wide3"), "--init-from", plain + "/checkpoint.safetensors", "--symbolic-width", "96"],
             "whole multiple of its width 64"),
        ] {
            let (refused, refusedSays) = try runSnip(["pretrain", "--steps", "1", "--batch-size", "4"] + arguments)
            #expect(refused != 0 && refusedSays.contains(reason), "\(refusedSays)")
        }
    }

    @Test func smoothMantissasShapeANewRun() throws {
        let directory = freshTemporaryPath("cli-smooth")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, says) = try runSnip(["pretrain", "--out", directory, "--steps", "2", "--batch-size", "4", "--smooth-mantissas"])
        #expect(status == 0, "\(says)")
        #expect(try String(contentsOfFile: directory + "/run.json", encoding: .utf8).contains("\"smoothMantissas\" : true"))
        let model = try SNIPModel.load(directory + "/checkpoint.safetensors")
        #expect(model.config.smoothMantissas == true && model.symbolicEncoder.mantissaFeatures != nil)
        let (resumed, resumedSays) = try runSnip(["pretrain", "--resume", directory, "--smooth-mantissas"])
        #expect(resumed != 0 && resumedSays.contains("--smooth-mantissas"), "\(resumedSays)")
        let (started, startedSays) = try runSnip([
            "pretrain", "--out", freshTemporaryPath("cli-smooth2"), "--init-from", directory + "/checkpoint.safetensors",
            "--smooth-mantissas",
        ])
        #expect(started != 0 && startedSays.contains("--smooth-mantissas"), "\(startedSays)")
    }

    @Test func pointAndConstantValuesShapeANewRun() throws {
        let directory = freshTemporaryPath("cli-values")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, says) = try runSnip([
            "pretrain", "--out", directory, "--steps", "2", "--batch-size", "4", "--point-values", "--constant-values",
        ])
        #expect(status == 0, "\(says)")
        let run = try String(contentsOfFile: directory + "/run.json", encoding: .utf8)
        #expect(run.contains("\"pointValues\" : true") && run.contains("\"constantValues\" : true"))
        let model = try SNIPModel.load(directory + "/checkpoint.safetensors")
        #expect(model.config.pointValues == true && model.embedder.valueFeatures != nil)
        #expect(model.config.constantValues == true && model.symbolicEncoder.constantFeatures != nil)
        let (resumed, resumedSays) = try runSnip(["pretrain", "--resume", directory, "--point-values"])
        #expect(resumed != 0 && resumedSays.contains("--point-values shapes a new model"), "\(resumedSays)")
        let (again, againSays) = try runSnip(["pretrain", "--resume", directory, "--constant-values"])
        #expect(again != 0 && againSays.contains("--constant-values shapes a new model"), "\(againSays)")
    }

    /// A trained model gains constant values through --init-from: the new run starts from its
    /// weights with the map at zero, and records the extended config.
    @Test func initFromAddsConstantValues() throws {
        let plain = freshTemporaryPath("cli-plain")
        let extended = freshTemporaryPath("cli-extended")
        defer {
            try? FileManager.default.removeItem(atPath: plain)
            try? FileManager.default.removeItem(atPath: extended)
        }
        let (status, says) = try runSnip(["pretrain", "--out", plain, "--steps", "2", "--batch-size", "4"])
        #expect(status == 0, "\(says)")
        let (started, startedSays) = try runSnip([
            "pretrain", "--out", extended, "--steps", "1", "--batch-size", "4", "--lr", "1e-12", "--seed", "5",
            "--init-from", plain + "/checkpoint.safetensors", "--constant-values",
        ])
        #expect(started == 0, "\(startedSays)")
        let start = try SNIPModel.load(plain + "/checkpoint.safetensors")
        let model = try SNIPModel.load(extended + "/checkpoint.safetensors")
        #expect(start.config.constantValues == nil && model.config.constantValues == true)
        #expect(try String(contentsOfFile: extended + "/run.json", encoding: .utf8).contains("\"constantValues\" : true"))
        // at a learning rate of 1e-12, one update leaves the carried weights as they were
        let carried = start.stateDict()
        for (key, value) in model.stateDict() where key != "encoder_f.constant_features.weight" {
            let before = try #require(carried[key], "\(key)")
            let largest = zip(before.scalars, value.scalars).map { abs($0 - $1) }.max() ?? 0
            #expect(largest < 1e-6, "\(key) moved by \(largest)")
        }
        let (resumed, resumedSays) = try runSnip(["pretrain", "--resume", extended, "--steps", "2"])
        #expect(resumed == 0, "\(resumedSays)")
    }

    /// --init-from says when the new run would change how the model reads its inputs, and
    /// refuses a --config the model would override.
    @Test func initFromWarnsWhenTheInputContractChanges() throws {
        let scaled = freshTemporaryPath("cli-scaled")
        let again = freshTemporaryPath("cli-again")
        defer {
            for path in [scaled, again] { try? FileManager.default.removeItem(atPath: path) }
        }
        let (status, says) = try runSnip([
            "pretrain", "--out", scaled, "--steps", "1", "--batch-size", "4", "--normalize-y", "--sort-points",
        ])
        #expect(status == 0, "\(says)")
        let start = scaled + "/checkpoint.safetensors"
        let (changed, changedSays) = try runSnip([
            "pretrain", "--out", again, "--steps", "1", "--batch-size", "4", "--seed", "2", "--init-from", start,
        ])
        #expect(changed == 0, "\(changedSays)")
        #expect(changedSays.contains("warning: --init-from \(start): it was trained on min-max scaled y, this run uses raw y (pass --normalize-y to keep it)"))
        #expect(changedSays.contains("it reads points sorted by x, this run gives them as drawn (pass --sort-points to keep it)"))
        try FileManager.default.removeItem(atPath: again)
        let (kept, keptSays) = try runSnip([
            "pretrain", "--out", again, "--steps", "1", "--batch-size", "4", "--seed", "2", "--init-from", start,
            "--normalize-y", "--sort-points",
        ])
        #expect(kept == 0, "\(keptSays)")
        #expect(!keptSays.contains("warning"), "\(keptSays)")
        try FileManager.default.removeItem(atPath: again)
        // the schedule continues from where the model's run would stand
        let (shifted, shiftedSays) = try runSnip([
            "pretrain", "--out", again, "--steps", "1", "--batch-size", "4", "--seed", "2", "--init-from", start,
            "--normalize-y", "--sort-points", "--lr", "1e-3", "--warmup", "500", "--lr-schedule-from", "22000",
        ])
        #expect(shifted == 0, "\(shiftedSays)")
        let metrics = try String(contentsOfFile: again + "/metrics.jsonl", encoding: .utf8)
        let first = try #require(metrics.split(separator: "\n").first.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let rate = try #require(first["learningRate"] as? Double)
        #expect(Swift.abs(rate - 1e-3 * (500.0 / 22_000).squareRoot() / 100) < 1e-12, "\(rate)")
        #expect(try String(contentsOfFile: again + "/run.json", encoding: .utf8).contains("\"scheduleOffset\" : 22000"))
        let (refused, refusedSays) = try runSnip(["pretrain", "--resume", again, "--lr-schedule-from", "5"])
        #expect(refused != 0 && refusedSays.contains("--lr-schedule-from"), "\(refusedSays)")
        try FileManager.default.removeItem(atPath: again)
        let (sized, sizedSays) = try runSnip([
            "pretrain", "--out", again, "--steps", "1", "--init-from", start, "--config", "medium",
        ])
        #expect(sized != 0 && sizedSays.contains("--config medium shapes a new model"), "\(sizedSays)")
        #expect(!FileManager.default.fileExists(atPath: again))
    }

    /// `--product-precision` is recorded in run.json, said on the terminal, changeable on
    /// `--resume`, and a wrong value is refused with the choices.
    @Test func productPrecisionIsRecordedAndChangeable() throws {
        let out = freshTemporaryPath("cli-bf16")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (status, says) = try runSnip([
            "pretrain", "--out", out, "--steps", "2", "--batch-size", "4", "--seed", "2", "--checkpoint-every", "1",
            "--product-precision", "bfloat16",
        ])
        #expect(status == 0, "\(says)")
        #expect(says.contains("training steps multiply in bfloat16") || says.contains("no AVX-512 BF16"), "\(says)")
        #expect(try String(contentsOfFile: out + "/run.json", encoding: .utf8).contains("\"productPrecision\" : \"bfloat16\""))
        let (resumed, resumedSays) = try runSnip(["pretrain", "--resume", out, "--steps", "3", "--product-precision", "float32"])
        #expect(resumed == 0, "\(resumedSays)")
        #expect(!resumedSays.contains("bfloat16"), "\(resumedSays)")
        #expect(try String(contentsOfFile: out + "/run.json", encoding: .utf8).contains("\"productPrecision\" : \"float32\""))
        let (refused, refusedSays) = try runSnip(["pretrain", "--resume", out, "--steps", "4", "--product-precision", "half"])
        #expect(refused != 0 && refusedSays.contains("float32") && refusedSays.contains("bfloat16"), "\(refusedSays)")
    }

    /// `--logit-scale` is recorded for a normalised objective and refused where it means nothing.
    @Test func logitScaleStartsANormalisedRun() throws {
        let out = freshTemporaryPath("cli-logit-scale")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (status, says) = try runSnip([
            "pretrain", "--out", out, "--steps", "1", "--batch-size", "4", "--objective", "clip-normalized", "--logit-scale", "39",
        ])
        #expect(status == 0, "\(says)")
        #expect(try String(contentsOfFile: out + "/run.json", encoding: .utf8).contains("\"initialLogitScale\" : 39"))
        for (arguments, expected) in [
            (["--out", freshTemporaryPath("cli-x"), "--logit-scale", "39"], "--objective clip-normalized or siglip"),
            (["--out", freshTemporaryPath("cli-x"), "--objective", "siglip", "--logit-scale", "0"], "(0, 100]"),
            (["--out", freshTemporaryPath("cli-x"), "--objective", "siglip", "--logit-scale", "150"], "(0, 100]"),
            (["--resume", out, "--steps", "2", "--logit-scale", "20"], "leave it out with --resume"),
        ] {
            let (refused, refusedSays) = try runSnip(["pretrain"] + arguments)
            #expect(refused != 0 && refusedSays.contains(expected), "\(refusedSays)")
        }
    }

    /// `--freeze-numeric` needs a trained model to keep, is recorded and said, and is refused
    /// on `--resume`.
    @Test func freezeNumericStartsFromAModel() throws {
        let start = freshTemporaryPath("cli-freeze-start")
        let out = freshTemporaryPath("cli-freeze")
        defer {
            for path in [start, out] { try? FileManager.default.removeItem(atPath: path) }
        }
        let (made, madeSays) = try runSnip(["pretrain", "--out", start, "--steps", "1", "--batch-size", "4"])
        #expect(made == 0, "\(madeSays)")
        let (status, says) = try runSnip([
            "pretrain", "--out", out, "--steps", "1", "--batch-size", "4", "--seed", "2", "--freeze-numeric",
            "--init-from", start + "/checkpoint.safetensors",
        ])
        #expect(status == 0, "\(says)")
        #expect(says.contains("training the symbolic side only"), "\(says)")
        #expect(try String(contentsOfFile: out + "/run.json", encoding: .utf8).contains("\"freezeNumeric\" : true"))
        for arguments in [
            ["--out", freshTemporaryPath("cli-x"), "--freeze-numeric"],
            ["--resume", out, "--steps", "2", "--freeze-numeric"],
        ] {
            let (refused, refusedSays) = try runSnip(["pretrain"] + arguments)
            #expect(refused != 0 && refusedSays.contains("--freeze-numeric keeps a trained numeric encoder"), "\(refusedSays)")
        }
    }

    @Test func badArgumentsFailWithAMessage() throws {
        let (status, output) = try runSnip(["pretrain", "--steps", "5"])
        #expect(status != 0 && output.contains("--out"))
        let (status2, output2) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-x"), "--config", "/nonexistent.json"])
        #expect(status2 != 0 && output2.contains("/nonexistent.json"))
    }

    /// A run that validates and averages: the start and every step measured, the best weights
    /// and the average written, and the flags checked.
    @Test func validationAndTheAverageFromTheCommandLine() throws {
        let directory = freshTemporaryPath("cli-validated")
        let held = freshTemporaryPath("cli-held.prefix")
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            unlink(held)
        }
        let (generated, text) = try runSnip(["generate", "--count", "30", "--seed", "3", "--normalize-y", "--out", held])
        #expect(generated == 0, "\(text)")
        let (status, output) = try runSnip([
            "pretrain", "--config", "small", "--steps", "2", "--batch-size", "4", "--normalize-y", "--out", directory,
            "--validate-every", "1", "--validation-data", held, "--validation-count", "30", "--ema", "0.9",
            "--select-by", "retrieval", "--keep-straight-lines", "0.25", "--sort-points", "--siblings", "0.5",
            "--redraws", "0.25", "--keep-points", "0.5",
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("validating every 1 steps on 30 functions"))
        #expect(output.contains("validation step 0: look-alike top-1") && output.contains("validation step 2:"))
        #expect(output.contains("; curved only "), "\(output)")
        for file in ["best.safetensors", "average.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: directory + "/" + file), "\(file)")
        }
        let lines = try String(contentsOfFile: directory + "/validation.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(try String(contentsOfFile: directory + "/run.json", encoding: .utf8).contains("\"validationRule\" : \"retrieval\""))
        #expect(try String(contentsOfFile: directory + "/run.json", encoding: .utf8).contains("\"straightLineKeep\" : 0.25"))
        #expect(try String(contentsOfFile: directory + "/run.json", encoding: .utf8).contains("\"sortPoints\" : true"))
        #expect(try String(contentsOfFile: directory + "/run.json", encoding: .utf8).contains("\"siblingRate\" : 0.5"))
        #expect(try String(contentsOfFile: directory + "/run.json", encoding: .utf8).contains("\"pointKeep\" : 0.5"))
        #expect(try String(contentsOfFile: directory + "/run.json", encoding: .utf8).contains("\"redrawRate\" : 0.25"))
        #expect(try SNIPModel.load(directory + "/best.safetensors").contract.sortsPoints)

        let (missing, says) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--validate-every", "5"])
        #expect(missing != 0 && says.contains("--validate-every N and --validation-data FILE go together"), "\(says)")
        let (alone, aloneSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--select-by", "retrieval"])
        #expect(alone != 0 && aloneSays.contains("--select-by needs --validate-every"), "\(aloneSays)")
        let (bad, badSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--ema", "1"])
        #expect(bad != 0 && badSays.contains("--ema must be 0 (off) or a decay in (0, 1)"), "\(badSays)")
        let (resumed, resumedSays) = try runSnip(["pretrain", "--resume", directory, "--ema", "0.5"])
        #expect(resumed != 0 && resumedSays.contains("a resumed run validates, averages and draws its data as it started"), "\(resumedSays)")
        let (thin, thinSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--keep-straight-lines", "1.5"])
        #expect(thin != 0 && thinSays.contains("--keep-straight-lines must be a probability in [0, 1]"), "\(thinSays)")
        let (files, filesSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--data", held, "--keep-straight-lines", "0.5"])
        #expect(files != 0 && filesSays.contains("--keep-straight-lines applies to generated functions"), "\(filesSays)")
        let (twins, twinsSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--siblings", "2"])
        #expect(twins != 0 && twinsSays.contains("--siblings must be a probability in [0, 1]"), "\(twinsSays)")
        let (twinFiles, twinFilesSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--data", held, "--siblings", "0.5"])
        #expect(twinFiles != 0 && twinFilesSays.contains("--siblings applies to generated functions"), "\(twinFilesSays)")
        let (again, againSays) = try runSnip(["pretrain", "--resume", directory, "--siblings", "0.5"])
        #expect(again != 0 && againSays.contains("leave out"), "\(againSays)")
        let (views, viewsSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--siblings", "0.5", "--redraws", "0.6"])
        #expect(views != 0 && viewsSays.contains("--redraws must be a probability in [0, 1 − --siblings]"), "\(viewsSays)")
        let (viewFiles, viewFilesSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--data", held, "--redraws", "0.5"])
        #expect(viewFiles != 0 && viewFilesSays.contains("--redraws applies to generated functions"), "\(viewFilesSays)")
        let (viewsAgain, viewsAgainSays) = try runSnip(["pretrain", "--resume", directory, "--redraws", "0.5"])
        #expect(viewsAgain != 0 && viewsAgainSays.contains("--redraws"), "\(viewsAgainSays)")
        let (none0, none0Says) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--keep-points", "0"])
        #expect(none0 != 0 && none0Says.contains("--keep-points must be a share in (0, 1]"), "\(none0Says)")
        let (pointFiles, pointFilesSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--data", held, "--keep-points", "0.5"])
        #expect(pointFiles != 0 && pointFilesSays.contains("--keep-points applies to generated functions"), "\(pointFilesSays)")
        let (pointsAgain, pointsAgainSays) = try runSnip(["pretrain", "--resume", directory, "--keep-points", "0.5"])
        #expect(pointsAgain != 0 && pointsAgainSays.contains("--keep-points"), "\(pointsAgainSays)")
        let (weight, weightSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--property-weight=-1"])
        #expect(weight != 0 && weightSays.contains("--property-weight must be a finite weight"), "\(weightSays)")
        let (wide, wideSays) = try runSnip([
            "pretrain", "--out", freshTemporaryPath("cli-v"), "--max-input-dimension", "2", "--property-weight", "1",
        ])
        #expect(wide != 0 && wideSays.contains("--property-weight needs generated one-dimensional functions"), "\(wideSays)")
        let (weighted, weightedSays) = try runSnip(["pretrain", "--resume", directory, "--property-weight", "1"])
        #expect(weighted != 0 && weightedSays.contains("--property-weight"), "\(weightedSays)")
        for shares in ["1,1,4", "1,1,x,1", "1,1,-4,1", "1,,4,1", "1,1,inf,1"] {
            let (bad, badSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--property-weight", "1", "--property-shares", shares])
            #expect(bad != 0 && badSays.contains("--property-shares needs 4 comma-separated numbers ≥ 0"), "\(shares): \(badSays)")
        }
        let (unweighted, unweightedSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--property-shares", "1,1,4,1"])
        #expect(unweighted != 0 && unweightedSays.contains("it needs --property-weight"), "\(unweightedSays)")
        let (shared, sharedSays) = try runSnip(["pretrain", "--resume", directory, "--property-shares", "1,1,4,1"])
        #expect(shared != 0 && sharedSays.contains("--property-shares"), "\(sharedSays)")
        let (unweightedRedraws, unweightedRedrawsSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--property-redraws", "8"])
        #expect(unweightedRedraws != 0 && unweightedRedrawsSays.contains("it needs --property-weight"), "\(unweightedRedrawsSays)")
        let (manyRedraws, manyRedrawsSays) = try runSnip([
            "pretrain", "--out", freshTemporaryPath("cli-v"), "--property-weight", "1", "--property-redraws", "65",
        ])
        #expect(manyRedraws != 0 && manyRedrawsSays.contains("--property-redraws"), "\(manyRedrawsSays)")
        let (redrawnAgain, redrawnAgainSays) = try runSnip(["pretrain", "--resume", directory, "--property-redraws", "8"])
        #expect(redrawnAgain != 0 && redrawnAgainSays.contains("--property-redraws"), "\(redrawnAgainSays)")
        let (neighbours, neighboursSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--neighbor-weight=-1"])
        #expect(neighbours != 0 && neighboursSays.contains("--neighbor-weight must be a finite weight"), "\(neighboursSays)")
        let (cold, coldSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--neighbor-temperature", "0"])
        #expect(cold != 0 && coldSays.contains("--neighbor-temperature must lie in [0.001, 10]"), "\(coldSays)")
        let (unweightedNeighbours, unweightedNeighboursSays) = try runSnip([
            "pretrain", "--out", freshTemporaryPath("cli-v"), "--property-weight", "1", "--neighbor-temperature", "0.1",
        ])
        #expect(unweightedNeighbours != 0 && unweightedNeighboursSays.contains("it needs --neighbor-weight"), "\(unweightedNeighboursSays)")
        let (untargeted, untargetedSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--neighbor-weight", "1"])
        #expect(untargeted != 0 && untargetedSays.contains("--neighbor-weight needs the property targets"), "\(untargetedSays)")
        let (untargetedRun, untargetedRunSays) = try runSnip(["pretrain", "--resume", directory, "--neighbor-weight", "1"])
        #expect(untargetedRun != 0 && untargetedRunSays.contains("the neighbour loss needs them"), "\(untargetedRunSays)")
        let (long, longSays) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-v"), "--steps", "10", "--cooldown", "11"])
        #expect(long != 0 && longSays.contains("--cooldown"), "\(longSays)")
        let (none, noneSays) = try runSnip(["pretrain", "--resume", directory, "--cooldown", "0"])
        #expect(none != 0 && noneSays.contains("--cooldown"), "\(noneSays)")
    }
}

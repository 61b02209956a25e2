import Foundation
import SnipModel
import TestSupport
import Testing

/// The process ended with a status, not a signal (a segfault reads as status 139 from a shell,
/// and as a signal here).
private func endedNormally(_ status: Int32) -> Bool { status < 128 }

/// Issue 17's command-line cases: bad flags, hostile configs and data, devices as outputs,
/// untrained heads, SIGTERM and SIGHUP.
struct HardeningCLITests {
    static let ncr = Bundle.module.url(forResource: "Fixtures/eight-ncr.prefix", withExtension: nil)!.path
    static let five = Bundle.module.url(forResource: "Fixtures/five.prefix", withExtension: nil)!.path

    @Test(arguments: [
        (["retrieval", "--model", "m", "--data", "d", "--batch-size", "0"], "--batch-size must be in 1...65536, not 0"),
        (["retrieval", "--model", "m", "--data", "d", "--count=-3"], "--count must be in 2...20000, not -3"),
        (["embed", "--model", "m", "--data", "d", "--batch-size=-1"], "--batch-size must be in 1...65536, not -1"),
        (["train-property", "--property", "ncr", "--train", "t", "--test", "t", "--out", "o", "--batch-size", "1000000"],
         "--batch-size must be in 1...16384, not 1000000"),
        (["pretrain", "--out", "o", "--batch-size", "100000000"], "--batch-size must be in 1...16384, not 100000000"),
        (["pretrain", "--out", "o", "--steps", "0"], "--steps must be in 1...1000000000, not 0"),
        (["pretrain", "--out", "o", "--checkpoint-every=-5"], "--checkpoint-every must be in 1...1000000000, not -5"),
        (["pretrain", "--out", "o", "--lr", "inf"], "--lr must be a finite positive number, not inf"),
        (["pretrain", "--out", "o", "--temperature", "nan"], "--temperature must be a finite positive number, not nan"),
        (["train-property", "--property", "ncr", "--train", "t", "--test", "t", "--out", "o", "--warmup=-1"],
         "--warmup must be in 0...1000000000, not -1"),
    ])
    func countAndSizeFlagsAreValidated(arguments: [String], message: String) throws {
        let (status, output) = try runSnip(arguments)
        #expect(status != 0 && endedNormally(status))
        #expect(output.contains(message), "\(output)")
    }

    @Test func aHostileConfigFileIsRefusedByField() throws {
        let config = freshTemporaryPath("hcli-config.json")
        defer { unlink(config) }
        var hostile = ModelConfig.small()
        hostile.expressionPadding = -1
        try JSONEncoder().encode(hostile).write(to: URL(fileURLWithPath: config))
        let (status, output) = try runSnip(["pretrain", "--out", freshTemporaryPath("hcli-never"), "--config", config])
        #expect(status != 0 && endedNormally(status))
        #expect(output.contains("expressionPadding (max_src_len) must be in 1...100000, not -1"), "\(output)")
        try Data("{\"width\": \"wide\"}".utf8).write(to: URL(fileURLWithPath: config))
        let (status2, output2) = try runSnip(["pretrain", "--out", freshTemporaryPath("hcli-never"), "--config", config])
        #expect(status2 != 0 && output2.contains("not a model config"), "\(output2)")
        #expect(!output2.contains("NSCocoaErrorDomain") && !output2.contains("CodingKeys"))
    }

    @Test func aDeepTreeInADataFileIsAPositionedError() throws {
        let data = freshTemporaryPath("hcli-deep.prefix")
        let model = freshTemporaryPath("hcli-model.safetensors")
        defer { unlink(data); unlink(model) }
        let good = try String(contentsOfFile: Self.five, encoding: .utf8).split(separator: "\n")[0]
        let deep = String(good).replacing(
            #/"tree": "[^"]*"/#, with: "\"tree\": \"" + String(repeating: "sin,", count: 100_000) + "x_0\"")
        try (good + "\n" + deep + "\n").write(toFile: data, atomically: true, encoding: .utf8)
        try SNIPModel(config: .small(), seed: 1).save(to: model)
        let (status, output) = try runSnip(["embed", "--model", model, "--data", data, "--out", freshTemporaryPath("hcli-z.jsonl")])
        #expect(status == 1, "\(output)")
        #expect(output.contains("\(data):2: tree: the tree is more than 1000 levels deep"), "\(output)")
    }

    @Test func aDirectoryOrAnEmptyFileIsNotData() throws {
        let model = freshTemporaryPath("hcli-model2.safetensors")
        let empty = freshTemporaryPath("hcli-empty.prefix")
        defer { unlink(model); unlink(empty) }
        try SNIPModel(config: .small(), seed: 1).save(to: model)
        let (status, output) = try runSnip(["embed", "--model", model, "--data", NSTemporaryDirectory()])
        #expect(status == 1 && output.contains("is a directory"), "\(output)")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let (status2, output2) = try runSnip(["embed", "--model", model, "--data", empty])
        #expect(status2 == 1 && output2.contains("holds no samples"), "\(output2)")
    }

    @Test func aNaNTargetIsRefusedAtLoadTime() throws {
        let data = freshTemporaryPath("hcli-nan.prefix")
        defer { unlink(data) }
        var lines = try String(contentsOfFile: Self.ncr, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[2] = lines[2].replacing(#/"target_property": [^,}]*/#, with: "\"target_property\": NaN")
        try (lines.joined(separator: "\n") + "\n").write(toFile: data, atomically: true, encoding: .utf8)
        let (status, output) = try runSnip([
            "train-property", "--property", "ncr", "--train", data, "--test", Self.ncr, "--steps", "1", "--out", freshTemporaryPath("hcli-nan-run"),
        ])
        #expect(status == 1, "\(output)")
        #expect(output.contains("\(data):3: target_property is nan"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: freshTemporaryPath("hcli-nan-run") + "/model.safetensors"))
    }

    /// A property computed from a sample of one point crashed on a precondition (found by the
    /// data.prefix fuzz target).
    @Test func aPropertyOfTooFewPointsIsAnError() throws {
        let data = freshTemporaryPath("hcli-one-point.prefix")
        defer { unlink(data) }
        let line = #"{"n_input_points": "1", "n_unary_ops": "0", "n_binary_ops": "0", "d_in": "1", "d_out": "1", "input_distribution_type": "0", "n_centroids": "1", "x_to_fit": [["1.0"]], "y_to_fit": [["2.0"]], "tree": "x_0", "skeleton_tree_encoded": ["x_0"]}"#
        try (line + "\n").write(toFile: data, atomically: true, encoding: .utf8)
        for property in ["oscil", "ncr"] {
            let (status2, output2) = try runSnip([
                "train-property", "--property", property, "--train", data, "--test", data, "--steps", "1", "--out", freshTemporaryPath("hcli-few"),
            ])
            #expect(status2 == 1 && output2.contains("\(data):1: \(property) needs at least 3 points"), "\(output2)")
        }
    }

    @Test func evaluatingAnUntrainedPropertyHeadIsRefused() throws {
        let run = freshTemporaryPath("hcli-pretrain-run")
        defer { try? FileManager.default.removeItem(atPath: run) }
        let trainer = try Pretrainer(
            model: SNIPModel(config: .small(), seed: 1), options: PretrainingOptions(), directory: run, seed: 1, dataDescription: "x")
        try trainer.saveCheckpoint()
        let (status, output) = try runSnip(["eval-property", "--model", trainer.run.checkpointPath, "--data", Self.ncr])
        #expect(status == 1 && output.contains("never trained"), "\(output)")
        // and after `snip convert`, still
        let converted = run + "/converted.safetensors"
        let (status2, output2) = try runSnip(["convert", trainer.run.checkpointPath, converted])
        #expect(status2 == 0, "\(output2)")
        let (status3, output3) = try runSnip(["eval-property", "--model", converted, "--data", Self.ncr])
        #expect(status3 == 1 && output3.contains("never trained"), "\(output3)")
    }

    /// `snip convert --half` writes float16 weights: about half the file, same model settings.
    @Test func convertHalfWritesAHalfSizeModelThatLoads() throws {
        let folder = freshTemporaryPath("hcli-half")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/model.safetensors", half = folder + "/half.safetensors", again = folder + "/again.safetensors"
        try SNIPModel(config: .small(), seed: 1).save(to: model)
        let (status, output) = try runSnip(["convert", model, half, "--half"])
        #expect(status == 0 && output.contains("(float16)"), "\(output)")
        let fullSize = try #require(FileManager.default.attributesOfItem(atPath: model)[.size] as? Int)
        let halfSize = try #require(FileManager.default.attributesOfItem(atPath: half)[.size] as? Int)
        #expect(Double(halfSize) < 0.52 * Double(fullSize), "\(halfSize) of \(fullSize)")
        // a half file reads back like any model (here converted back to float32)
        let (status2, output2) = try runSnip(["convert", half, again])
        #expect(status2 == 0 && !output2.contains("float16"), "\(output2)")
        let loaded = try SNIPModel.load(again), original = try SNIPModel.load(model)
        #expect(loaded.config == original.config && loaded.parameterCount == original.parameterCount)
    }

    /// `snip convert --positions N` keeps N learned positions: a smaller file, the same
    /// settings otherwise; too few positions are refused with the reason.
    @Test func convertPositionsWritesASmallerModel() throws {
        let folder = freshTemporaryPath("hcli-positions")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/model.safetensors", trimmed = folder + "/trimmed.safetensors"
        try SNIPModel(config: .small(), seed: 1).save(to: model)
        let (status, output) = try runSnip(["convert", model, trimmed, "--positions", "256"])
        #expect(status == 0 && output.contains("256 positions"), "\(output)")
        let loaded = try SNIPModel.load(trimmed), original = try SNIPModel.load(model)
        var expected = original.config
        expected.positions = 256
        #expect(loaded.config == expected)
        #expect(original.parameterCount - loaded.parameterCount == (4096 - 256) * 64 * 2)
        let (refused, refusedSays) = try runSnip(["convert", model, folder + "/few.safetensors", "--positions", "100"])
        #expect(refused != 0 && refusedSays.contains("keep at least 200 positions"), "\(refusedSays)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/few.safetensors"))
    }

    /// `snip convert --training-head-from CHECKPOINT` keeps a run's auxiliary property head in
    /// the model file, and `snip pretrain --init-from` that file continues with it; a file
    /// without a head is refused by name, and nothing is written.
    @Test func convertKeepsATrainingRunsHeadForInitFrom() throws {
        let folder = freshTemporaryPath("hcli-head")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = folder + "/run", plain = folder + "/plain.safetensors", carried = folder + "/carried.safetensors"
        let data = ["--max-input-dimension", "1", "--normalize-y", "--batch-size", "4", "--property-weight", "1"]
        let (trained, trainedSays) = try runSnip(["pretrain", "--out", run, "--steps", "2"] + data)
        #expect(trained == 0, "\(trainedSays)")
        // a plain conversion leaves the head behind
        let (converted, convertedSays) = try runSnip(["convert", run + "/checkpoint.safetensors", plain])
        #expect(converted == 0, "\(convertedSays)")
        #expect(try Pretrainer.propertyTargetHeadTensors(in: plain).isEmpty)
        let (status, output) = try runSnip([
            "convert", plain, carried, "--half", "--training-head-from", run + "/checkpoint.safetensors",
        ])
        #expect(status == 0 && output.contains("the training run's property head"), "\(output)")
        let head = try Pretrainer.propertyTargetHeadTensors(in: carried)
        let original = try Pretrainer.propertyTargetHeadTensors(in: run + "/checkpoint.safetensors")
        #expect(head.map(\.name) == original.map(\.name) && !head.isEmpty)
        for (kept, source) in zip(head, original) {
            #expect(kept.tensor.scalars.count == source.tensor.scalars.count)
            for (a, b) in zip(kept.tensor.scalars, source.tensor.scalars) { #expect(abs(a - b) <= 1e-3 * max(1, abs(b))) }
        }
        let (continued, continuedSays) = try runSnip(
            ["pretrain", "--init-from", carried, "--out", folder + "/next", "--steps", "1", "--property-redraws", "2"] + data)
        #expect(continued == 0 && continuedSays.contains("the auxiliary property head continues from \(carried)"), "\(continuedSays)")
        // formula targets over redraws are recorded with the run's data settings
        #expect(try String(contentsOfFile: folder + "/next/run.json", encoding: .utf8).contains("\"propertyRedraws\" : 2"))

        let headless = folder + "/headless.safetensors"
        let (refused, refusedSays) = try runSnip(["convert", carried, headless, "--training-head-from", plain])
        #expect(refused != 0 && refusedSays.contains("holds no auxiliary property head"), "\(refusedSays)")
        #expect(!FileManager.default.fileExists(atPath: headless))
    }

    /// `snip convert` to a fifo writes through it and leaves it a fifo.
    @Test func convertWritesIntoAFifoInPlace() throws {
        let folder = freshTemporaryPath("hcli-fifo-folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/model.safetensors"
        try SNIPModel(config: .small(), seed: 1).save(to: model)
        let fifo = folder + "/out.safetensors"
        #expect(mkfifo(fifo, 0o644) == 0)
        // read on a thread of its own, so that a blocked reader never starves the test's task
        let done = DispatchSemaphore(value: 0)
        final class Count: @unchecked Sendable { var bytes = 0 }
        let received = Count()
        Thread {
            let fd = open(fifo, O_RDONLY)
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while fd >= 0 {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                received.bytes += n
            }
            if fd >= 0 { close(fd) }
            done.signal()
        }.start()
        let (status, output) = try runSnip(["convert", model, fifo])
        done.wait()
        #expect(status == 0, "\(output)")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        let size = try FileManager.default.attributesOfItem(atPath: model)[.size] as? Int
        #expect(received.bytes == size)
    }

    /// SIGTERM and SIGHUP stop training after the current step and save, like Ctrl-C.
    @Test(arguments: [SIGTERM, SIGHUP])
    func terminationSignalsSaveLikeControlC(signal: Int32) throws {
        let directory = freshTemporaryPath("hcli-signal-\(signal)")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try Subprocess(
            snipExecutable,
            [
                "pretrain", "--config", "small", "--steps", "100000", "--batch-size", "4", "--checkpoint-every", "100000",
                "--out", directory,
            ],
            joinErrors: true)
        let metrics = directory + "/metrics.jsonl"
        process.wait { !((try? String(contentsOfFile: metrics, encoding: .utf8)) ?? "").isEmpty }
        process.send(signal)
        let r = process.finish()
        #expect(!r.signalled && r.status == 0, "\(r.output)")
        #expect(r.output.contains("interrupted at step"), "\(r.output)")
        #expect(FileManager.default.fileExists(atPath: directory + "/checkpoint.safetensors"))
    }

    /// A second stop request ends training at once, without saving (status 128 + the signal).
    @Test func aSecondSignalQuitsWithoutSaving() throws {
        let directory = freshTemporaryPath("hcli-second-signal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try Subprocess(
            snipExecutable,
            [
                "pretrain", "--config", "small", "--steps", "100000", "--batch-size", "4",
                "--checkpoint-every", "100000", "--out", directory,
            ],
            joinErrors: true)
        let metrics = directory + "/metrics.jsonl"
        process.wait { !((try? String(contentsOfFile: metrics, encoding: .utf8)) ?? "").isEmpty }
        // both at once, long before the step ends (the kernel may hand them over in either order)
        process.send(SIGTERM)
        process.send(SIGINT)
        let r = process.finish()
        #expect(!r.signalled && [128 + SIGINT, 128 + SIGTERM].contains(r.status), "\(r.output)")
        #expect(r.output.contains(" again: exiting without saving"), "\(r.output)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/checkpoint.safetensors"))
    }

    /// SIGTERM while `snip generate` writes its file deletes the half-written temporary file.
    @Test func aSignalDeletesAHalfWrittenOutput() throws {
        let path = freshTemporaryPath("hcli-interrupted.prefix")
        let process = try Subprocess(
            snipExecutable, ["generate", "--count", "100000000", "--out", path])
        let temporary = path + ".tmp-\(process.process.processIdentifier)"
        process.wait { FileManager.default.fileExists(atPath: temporary) }
        process.send(SIGTERM)
        let r = process.finish()
        #expect(r.signalled && r.status == SIGTERM, "\(r.errors)")
        #expect(!FileManager.default.fileExists(atPath: temporary))
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

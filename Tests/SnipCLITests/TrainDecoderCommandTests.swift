import Foundation
import TestSupport
import Testing

struct TrainDecoderCommandTests {
    /// A decoder trained (and resumed) for a few steps on the shipped 10-D model, then used by
    /// `snip regress` and `snip evaluate-decoder`.
    @Test func trainsResumesAndFeedsRegress() throws {
        let run = freshTemporaryPath("decoder-run")
        let csv = freshTemporaryPath("decoder-data.csv")
        let prefix = freshTemporaryPath("decoder-data.prefix")
        defer {
            for path in [run, csv, prefix] { try? FileManager.default.removeItem(atPath: path) }
        }
        let small = ["--width", "16", "--layers", "1", "--memory-tokens", "2", "--batch-size", "2", "--checkpoint-every", "1"]
        var (status, output) = try runSnip(["train-decoder", "--model", "10d", "--out", run, "--steps", "2"] + small)
        #expect(status == 0, "\(output)")
        #expect(output.contains("finished 2 steps"))
        (status, output) = try runSnip(["train-decoder", "--resume", run, "--steps", "3"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("resuming \(run) at step 2"))
        let metrics = try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8)
        #expect(metrics.split(separator: "\n").count == 3)
        let decoder = run + "/decoder.safetensors"
        #expect(FileManager.default.fileExists(atPath: decoder))

        let text = "a,b,y\n" + (0..<40).map { k in
            let a = Double(k) / 10, b = Double(k % 7)
            return "\(a),\(b),\(2 * a + b)"
        }.joined(separator: "\n") + "\n"
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        (status, output) = try runSnip([
            "regress", "--data", csv, "--target", "y", "--time", "3", "--decoder", decoder, "--lso-seconds", "0.5",
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("SNIP decoder:"), "\(output)")
        #expect(output.contains("R² 1.0000"), "\(output)")

        (status, output) = try runSnip(["generate", "--count", "3", "--seed", "4", "--max-input-dimension", "3", "--out", prefix])
        #expect(status == 0, "\(output)")
        (status, output) = try runSnip([
            "evaluate-decoder", "--decoder", decoder, "--data", prefix, "--count", "3", "--beam", "2",
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("3 functions of"), "\(output)")
        #expect(output.contains("best decoded-and-fitted R² > 0.99:"), "\(output)")
    }

    @Test func badArgumentsGiveClearErrors() throws {
        let missing = freshTemporaryPath("no-such-decoder.safetensors")
        let csv = freshTemporaryPath("decoder-bad.csv")
        defer { try? FileManager.default.removeItem(atPath: csv) }
        try "x,y\n1,2\n2,4\n3,6\n4,8\n5,10\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["train-decoder", "--steps", "2"], "give exactly one of --out DIR (new run) or --resume DIR"),
            (["train-decoder", "--out", missing, "--width", "2"], "--width"),
            (["train-decoder", "--resume", missing], "cannot read the run settings"),
            (["regress", "--data", csv, "--target", "y", "--decoder", missing], "no-such-decoder.safetensors"),
            (["regress", "--data", csv, "--target", "y", "--lso-seconds=-1"], "--lso-seconds must be a number ≥ 0"),
            // a SNIP model is not a decoder file
            (["regress", "--data", csv, "--target", "y", "--decoder", "Models/snip-small-1d.safetensors"], "not a decoder file"),
        ]
        for (arguments, message) in cases {
            let (status, output) = try runSnip(arguments)
            #expect(status != 0, "\(arguments)")
            #expect(output.contains(message), "\(arguments): \(output)")
        }
    }
}

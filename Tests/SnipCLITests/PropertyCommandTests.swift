import Foundation
import TestSupport
import Testing

struct PropertyCommandTests {
    static let data = Bundle.module.url(forResource: "Fixtures/eight-ncr.prefix", withExtension: nil)!.path

    @Test func trainThenEvaluate() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("snip-prop-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (status, output) = try runSnip([
            "train-property", "--property", "ncr", "--train", Self.data, "--test", Self.data, "--steps", "5",
            "--warmup", "0", "--lr", "1e-3", "--out", out,
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("samples 8") && output.contains("R2"))
        for file in ["model.safetensors", "metrics.jsonl", "test-metrics.json", "predictions.csv"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        #expect(try String(contentsOfFile: out + "/metrics.jsonl", encoding: .utf8).split(separator: "\n").count == 5)
        let csv = out + "/eval.csv"
        let (status2, output2) = try runSnip(["eval-property", "--model", out, "--data", Self.data, "--predictions", csv])
        #expect(status2 == 0, "\(output2)")
        #expect(output2.contains("samples 8"))
        // the evaluation reproduces the predictions written after training
        #expect(try String(contentsOfFile: csv, encoding: .utf8) == String(contentsOfFile: out + "/predictions.csv", encoding: .utf8))
    }

    @Test func freezingWithoutAPretrainedModelIsRefused() throws {
        let (status, output) = try runSnip(["train-property", "--property", "ncr", "--train", Self.data, "--test", Self.data, "--freeze", "--out", "/tmp/x"])
        #expect(status != 0 && output.contains("--init-from"))
        let (status2, output2) = try runSnip(["train-property", "--property", "nope", "--train", Self.data, "--test", Self.data, "--out", "/tmp/x"])
        #expect(status2 != 0 && output2.contains("nope"))
    }
}

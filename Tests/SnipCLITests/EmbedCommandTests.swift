import Foundation
import SnipMath
import SnipModel
import SnipTensor
import TestSupport
import Testing

private func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("snip-cli-\(getpid())-\(name)").path
}

struct EmbedCommandTests {
    static let data = Bundle.module.url(forResource: "Fixtures/five.prefix", withExtension: nil)!.path

    /// A small random model saved to a temporary file.
    static func modelFile(_ name: String) throws -> (path: String, model: SNIPModel) {
        let model = try SNIPModel(config: .small(), seed: 9)
        let path = temporaryPath(name)
        try model.save(to: path)
        return (path, model)
    }

    @Test func writesOneObjectPerLineInOrderMatchingTheLibrary() throws {
        let (path, model) = try Self.modelFile("embed.safetensors")
        let out = temporaryPath("embed.jsonl")
        defer { unlink(path); unlink(out) }
        let (status, output) = try runSnip(["embed", "--model", path, "--data", Self.data, "--batch-size", "2", "--out", out])
        #expect(status == 0, "\(output)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5)
        let samples = try DataPrefixReader(path: Self.data).readAll()
        let tokenizer = SampleTokenizer(config: model.config)
        let examples = try samples.map { try tokenizer.example($0) }
        let (zf, zy) = withoutGrad {
            (model.encodeSymbolic(examples.map(\.expressionTokens)).latent.rows,
             model.encodeNumeric(examples.map(\.pointTokens)).latent.rows)
        }
        for (i, line) in lines.enumerated() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object["line"] as? Int == i + 1)
            let f = (object["z_f"] as! [Double]).map(Float.init)
            let y = (object["z_y"] as! [Double]).map(Float.init)
            // batches of 2 vs one batch of 5: the packed encoders give the same numbers
            #expect(zip(f, zf[i]).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * Swift.max(1, Swift.abs($1)) })
            #expect(zip(y, zy[i]).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * Swift.max(1, Swift.abs($1)) })
        }
    }

    @Test func badInputIsReportedWithFileAndLine() throws {
        let (path, _) = try Self.modelFile("embed-bad.safetensors")
        defer { unlink(path) }
        let broken = temporaryPath("broken.prefix")
        let lines = try String(contentsOfFile: Self.data, encoding: .utf8).split(separator: "\n")
        try (lines[0] + "\n" + lines[1].prefix(100) + "\n").write(toFile: broken, atomically: true, encoding: .utf8)
        defer { unlink(broken) }
        let (status, output) = try runSnip(["embed", "--model", path, "--data", broken])
        #expect(status == 1)
        #expect(output.contains("\(broken):2:"))
        let (missing, message) = try runSnip(["embed", "--model", "/nonexistent.safetensors", "--data", Self.data])
        #expect(missing == 1 && message.contains("/nonexistent.safetensors"))
        // a dimension-2 expression for a dimension-1 model: the unknown token is named
        let twoD = temporaryPath("twod.prefix")
        defer { unlink(twoD) }
        let sample = Sample(
            tree: try Expression(prefix: "add,x_0,x_1"), x: [[1, 2]], y: [3],
            info: SampleInfo(inputPointCount: 1, unaryOperatorCount: 0, binaryOperatorCount: 1, inputDimension: 2, outputDimension: 1, inputDistributionType: 0, centroidCount: 1),
            skeletonTokens: ["add", "x_0", "x_1"])
        try (sample.dataPrefixLine() + "\n").write(toFile: twoD, atomically: true, encoding: .utf8)
        let (status2, output2) = try runSnip(["embed", "--model", path, "--data", twoD, "--side", "symbolic"])
        #expect(status2 == 1 && output2.contains("\(twoD):1:") && output2.contains("x_1"))
    }

    /// `--model 1d` reads the shipped file, in `embed` as in `retrieval`.
    @Test func aShippedModelByName() throws {
        let shipped = try #require(ShippedModel.oneDimensional.path)
        let byName = temporaryPath("named.jsonl"), byPath = temporaryPath("path.jsonl")
        defer { unlink(byName); unlink(byPath) }
        let (named, namedSays) = try runSnip(["embed", "--model", "1d", "--data", Self.data, "--out", byName])
        let (pathed, pathSays) = try runSnip(["embed", "--model", shipped, "--data", Self.data, "--out", byPath])
        #expect(named == 0 && pathed == 0, "\(namedSays)\n\(pathSays)")
        let lines = try String(contentsOfFile: byName, encoding: .utf8)
        #expect(lines.split(separator: "\n").count == 5)
        #expect(lines == (try String(contentsOfFile: byPath, encoding: .utf8)))
        let (status, output) = try runSnip(["retrieval", "--model", "1d", "--data", Self.data, "--count", "5"])
        #expect(status == 0 && output.contains("candidates 5 (exact partners only"), "\(output)")
    }
}

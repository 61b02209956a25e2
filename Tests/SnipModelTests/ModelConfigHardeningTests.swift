import Foundation
import SnipModel
import SnipNN
import SnipTensor
import Testing

/// Issue 17: a config from a checkpoint or `--config FILE.json` is untrusted. Huge values
/// aborted with out-of-memory, negative ones crashed or hung, `expressionPadding = -1` quietly
/// changed embeddings; every field is now range-checked, the message naming it.
struct ModelConfigHardeningTests {
    /// Each field set just outside its range (below and above) is refused by name.
    @Test(arguments: ModelConfig.bounds.map(\.name))
    func everyFieldOutsideItsRangeIsRefusedByName(field: String) throws {
        let (_, writable, range) = try #require(ModelConfig.bounds.first { $0.name == field })
        for bad in [range.lowerBound - 1, range.upperBound + 1, -1, Int.min, Int.max] where !range.contains(bad) {
            var config = ModelConfig.small()
            config[keyPath: writable] = bad
            do {
                try config.validate()
                Issue.record("\(field) = \(bad) was accepted")
            } catch {
                #expect(error.message.contains(field), "\(error.message)")
                #expect(error.message.contains("\(bad)"))
            }
        }
    }

    @Test func theReportedCasesAreRefused() throws {
        var padding = ModelConfig.small()
        padding.expressionPadding = -1
        #expect(throws: ModelError.self) { try padding.validate() }
        var huge = ModelConfig.paper()
        huge.width = 8192
        huge.layers = 64
        do {
            try huge.validate()
            Issue.record("a 50-billion-parameter config was accepted")
        } catch {
            #expect(error.message.contains("million parameters"))
        }
        var heads = ModelConfig.small()
        heads.heads = 3
        #expect(throws: ModelError.self) { try heads.validate() }
        var mantissa = ModelConfig.small()
        mantissa.mantissaLength = 3
        #expect(throws: ModelError.self) { try mantissa.validate() }
        #expect(throws: ModelError.self) { try SNIPModel(config: padding, seed: 0) }
    }

    @Test func publishedConfigsPass() throws {
        for dimension in 1...10 {
            try ModelConfig.small(maxInputDimension: dimension).validate()
            try ModelConfig.paper(maxInputDimension: dimension).validate()
        }
        #expect(ModelConfig.paper().estimatedParameterCount < 100e6)
    }

    @Test func decodingErrorsNameTheFieldWithoutFoundationInternals() throws {
        let json = try JSONEncoder().encode(ModelConfig.small())
        var object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        object["width"] = "wide"
        let wrongType = try JSONSerialization.data(withJSONObject: object)
        for (data, expected) in [
            (wrongType, "field 'width': expected an integer"), (Data("{".utf8), "not valid JSON"),
            (Data("{}".utf8), "missing field"),
        ] {
            do {
                _ = try ModelConfig.decode(json: data, source: "config.json")
                Issue.record("accepted \(String(decoding: data, as: UTF8.self))")
            } catch {
                #expect(error.message.hasPrefix("config.json: not a model config: "))
                #expect(error.message.contains(expected), "\(error.message)")
                #expect(!error.message.contains("NSCocoaErrorDomain") && !error.message.contains("CodingKeys"))
            }
        }
        object["width"] = -64
        let negative = try JSONSerialization.data(withJSONObject: object)
        do {
            _ = try ModelConfig.decode(json: negative, source: "c.json")
            Issue.record("accepted a negative width")
        } catch {
            #expect(error.message.contains("c.json: model config: width (enc_emb_dim) must be in"))
        }
    }

    /// A checkpoint whose metadata holds a hostile config is refused when loaded.
    @Test func aCheckpointWithAHostileConfigIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("snip-hostile-\(getpid()).safetensors").path
        defer { unlink(path) }
        var config = ModelConfig.small()
        config.positions = 1 << 40
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        try SafeTensors.write([("x", Tensor([1]))], metadata: ["snip.config": json], to: path)
        do {
            _ = try SNIPModel.load(path)
            Issue.record("loaded a config with 2^40 positions")
        } catch {
            #expect(error.description.contains("positions (N_MAX_POSITIONS) must be in"))
        }
    }
}

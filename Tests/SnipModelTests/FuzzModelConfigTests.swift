import Foundation
import SnipMath
import SnipModel
import SnipTensor
import Testing
import TestSupport

/// Fuzz target for the model-config loader (issue 17): random `--config` / checkpoint-metadata
/// JSON must decode to a valid config or be refused with a ``ModelError``; a config that is
/// accepted and small enough to build quickly must build a model that embeds a function
/// without trapping. CI runs a few thousand configs; `SNIP_FUZZ_ITERATIONS` runs more.
struct FuzzModelConfigTests {
    static let keys = [
        "maxInputDimension", "maxOutputDimension", "width", "layers", "heads", "latent", "pointTokenWidth",
        "embedderLayers", "embedderExpansion", "feedForwardHiddenLayers", "maxPoints", "expressionPadding",
        "positions", "propertyHidden", "floatPrecision", "mantissaLength", "maxExponent",
    ]

    @Test func modelConfigLoaderNeverCrashes() throws {
        let iterations = Fuzz.iterations(ciDefault: 3000)
        var outcomes: [String: Int] = [:]
        let sample = Sample(
            tree: try Expression(prefix: "add,mul,2.5,x_0,sin,x_0"), x: [[0.5], [1.5], [-2]], y: [1, 2, 3],
            info: SampleInfo(
                inputPointCount: 3, unaryOperatorCount: 1, binaryOperatorCount: 2, inputDimension: 1, outputDimension: 1,
                inputDistributionType: 0, centroidCount: 1),
            skeletonTokens: [])
        for i in Fuzz.start..<Fuzz.start + iterations {
            Fuzz.progress("model config", done: i - Fuzz.start, outcomes: outcomes)
            var random = FuzzRandom(seed: 41, input: i)
            let json = Self.randomConfigJSON(&random)
            do {
                let config = try ModelConfig.decode(json: Data(json.utf8), source: "fuzz.json")
                outcomes["accepted", default: 0] += 1
                // build and run the small ones (every accepted config is checked to be buildable
                // by `validate`; building the largest ones would take minutes)
                if config.estimatedParameterCount < 2_000_000, i % max(10, iterations / 2000) == 0 {
                    let model = try SNIPModel(config: config, seed: UInt64(i))
                    let tokenizer = SampleTokenizer(config: config)
                    if let example = try? tokenizer.example(sample) {
                        let latent = withoutGrad { model.encodeSymbolic([example.expressionTokens]).latent }
                        let numeric = withoutGrad { model.encodeNumeric([example.pointTokens]).latent }
                        #expect(latent.shape == [1, config.latent] && numeric.shape == [1, config.latent])
                    }
                    outcomes["built", default: 0] += 1
                }
            } catch {
                #expect(error.message.hasPrefix("fuzz.json: "))
                #expect(!error.message.contains("NSCocoaErrorDomain"))
                outcomes["refused", default: 0] += 1
            }
        }
        Fuzz.report("model config", iterations: iterations, outcomes: outcomes)
    }

    /// A config object with every field drawn near its valid range, at a boundary, extreme, of
    /// the wrong type or missing; sometimes not JSON at all.
    static func randomConfigJSON(_ random: inout FuzzRandom) -> String {
        let small = ModelConfig.small(maxInputDimension: 1 + random.int(3))
        let encoded = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(small))) as? [String: Any] ?? [:]
        var fields: [String] = []
        // most inputs change one to three fields (so that many are accepted and built), some
        // change them all
        let mutated = random.chance(0.8) ? Set((0..<(1 + random.int(3))).map { _ in random.pick(Self.keys) }) : Set(Self.keys)
        for key in Self.keys {
            guard !random.chance(0.01) else { continue }  // missing
            let base = encoded[key] as? Int ?? 1
            guard mutated.contains(key) else {
                fields.append("\"\(key)\": \(base)")
                continue
            }
            let value: String
            switch random.int(10) {
            case 0: value = String(random.interestingInt())
            case 1: value = random.pick(["\"8\"", "null", "1.5", "[]", "{}", "true", "1e400", "-0"])
            case 2: value = String(base * random.pick([2, 4, 8]))
            case 3: value = String(max(0, base - random.int(3)))
            case 4: value = String(random.int(20))
            default: value = String(base)
            }
            fields.append("\"\(key)\": \(value)")
        }
        fields.append("\"poolOverPadding\": \(random.pick(["true", "false", "1", "null"]))")
        fields.shuffle(using: &random)
        let text = "{" + fields.joined(separator: ", ") + "}"
        return random.chance(0.1) ? String(decoding: random.mutate(Array(text.utf8)), as: UTF8.self) : text
    }
}

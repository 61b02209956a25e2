import SnipMath
import SnipTensor

/// Training examples made on the fly by the SNIP generator. Example i of step s is generated
/// from its own random stream, fixed by (seed, s, i), so a run is reproducible and resumable
/// whatever the thread count or prefetch depth.
public struct GeneratedTrainingData: TrainingData {
    public let generator: ExpressionGenerator
    public let tokenizer: SampleTokenizer
    public let seed: UInt64

    public init(generator: ExpressionGenerator, tokenizer: SampleTokenizer, seed: UInt64) {
        self.generator = generator
        self.tokenizer = tokenizer
        self.seed = seed
    }

    /// The random stream of example `index` of step `step`.
    public static func stream(seed: UInt64, step: Int, index: Int) -> SeededGenerator {
        var mixer = SeededGenerator(seed: seed ^ 0x5EED_5EED)
        let a = mixer.next()
        return SeededGenerator(seed: a &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index) &* 0xD1B5_4A32_D192_ED03)
    }

    public func examples(forStep step: Int, count: Int) throws -> [TrainingExample] {
        var result: [TrainingExample] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            var stream = Self.stream(seed: seed, step: step, index: index)
            let sample = generator.generate(using: &stream).sample
            do {
                result.append(try tokenizer.example(sample))
            } catch {
                throw ModelError("generated sample \(index) of step \(step) cannot be tokenised: \(error)")
            }
        }
        return result
    }
}

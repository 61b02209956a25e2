import SnipModel
import SnipTensor

/// A tiny model and training setup shared by the training tests (pre-training, resuming,
/// hardening, distributed training).
enum TinyTraining {
    static let config = ModelConfig(
        maxInputDimension: 1, width: 16, layers: 1, heads: 2, latent: 8, pointTokenWidth: 4)

    static func options() -> PretrainingOptions {
        var options = PretrainingOptions()
        options.batchSize = 4
        options.learningRate = 1e-3
        options.warmup = 3
        options.checkpointEvery = 2
        return options
    }
}

/// Random token examples, deterministic in (seed, step).
struct RandomTokens: TrainingData {
    let seed: UInt64
    let vocabulary: VocabularyLayout

    func examples(forStep step: Int, count: Int) throws -> [TrainingExample] {
        var generator = SeededGenerator(seed: seed &+ UInt64(step) &* 7919)
        return (0..<count).map { _ in
            let length = Int.random(in: 3...12, using: &generator)
            return TrainingExample(
                expressionTokens: (0..<length).map { _ in Int.random(in: 15..<60, using: &generator)
                },
                pointTokens: (0..<(10 * 6)).map { _ in
                    Int.random(in: 17..<vocabulary.floatCount, using: &generator)
                })
        }
    }
}

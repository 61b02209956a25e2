import Foundation
import SnipNN
import SnipTensor

/// The three ways the paper trains a property predictor on the symbolic encoder.
public enum PropertyTrainingMode: String, Codable, CaseIterable, Sendable {
    /// Encoder and head from scratch.
    case supervised
    /// A pre-trained encoder kept fixed; only the head learns.
    case frozen
    /// A pre-trained encoder and the head both learn.
    case fineTuned = "fine-tuned"
}

/// Settings of property training (the reference's defaults: batch 16, lr 1e-5, MSE loss).
public struct PropertyTrainingOptions: Codable, Equatable, Sendable {
    public var batchSize = 16
    public var learningRate = 1e-5
    /// Warm-up updates of the inverse-sqrt schedule (the reference's optimizer; 0 keeps the
    /// rate constant).
    public var warmup = 10_000
    public var clipNorm = 0.5

    public init() {}
}

/// Trains `regressor` (and, unless frozen, `encoder_f`) to predict a property of expressions
/// with the mean squared error.
public final class PropertyTrainer {
    public let model: SNIPModel
    public let mode: PropertyTrainingMode
    public let options: PropertyTrainingOptions
    public let optimizer: Adam
    public private(set) var step = 0
    public private(set) var skipped = 0
    let trainable: [Parameter]

    public init(model: SNIPModel, mode: PropertyTrainingMode, options: PropertyTrainingOptions) {
        self.model = model
        self.mode = mode
        self.options = options
        trainable = mode == .frozen ? model.propertyHead.parameters : model.symbolicEncoder.parameters + model.propertyHead.parameters
        let schedule: LearningRateSchedule = options.warmup > 0
            ? .inverseSquareRoot(peak: options.learningRate, warmup: options.warmup) : .constant(options.learningRate)
        optimizer = Adam(parameters: trainable, schedule: schedule)
    }

    /// Predictions `[B, 1]` for expressions; a frozen encoder runs without recording gradients.
    func forward(_ expressions: [[Int]]) -> Tensor {
        let latent = mode == .frozen
            ? withoutGrad { model.encodeSymbolic(expressions).latent }
            : model.encodeSymbolic(expressions).latent
        return model.propertyHead(latent)
    }

    /// One update on `examples` (each with a property).
    public func step(_ examples: [TrainingExample]) -> StepOutcome {
        let targets = Tensor(examples.map { Float($0.property ?? .nan) }, shape: [examples.count, 1])
        let outcome = optimizationStep(parameters: trainable, optimizer: optimizer, clipNorm: options.clipNorm) {
            meanSquaredError(prediction: forward(examples.map(\.expressionTokens)), target: targets)
        }
        step += 1
        if outcome.skipped { skipped += 1 }
        return outcome
    }

    /// Trains for `steps` steps on `data` (deterministic in the step number).
    public func train(
        data: TrainingData, steps: Int, progress: (Int, StepOutcome) -> Void = { _, _ in },
        shouldStop: () -> Bool = { false }
    ) throws -> TrainingStop {
        while step < steps {
            if shouldStop() { return .interrupted }
            let outcome = step(try data.examples(forStep: step, count: options.batchSize))
            progress(step, outcome)
        }
        return .finished
    }

    /// The model's predictions for expressions, in batches, without gradients.
    public static func predict(model: SNIPModel, expressions: [[Int]], batchSize: Int = 256) -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(expressions.count)
        for start in stride(from: 0, to: expressions.count, by: batchSize) {
            let batch = Array(expressions[start..<min(start + batchSize, expressions.count)])
            let out = withoutGrad { model.propertyHead(model.encodeSymbolic(batch).latent) }
            result += out.scalars.map(Double.init)
        }
        return result
    }
}

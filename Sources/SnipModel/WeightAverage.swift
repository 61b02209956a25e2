import SnipNN
import SnipTensor

/// An exponential moving average of a model's weights (Polyak averaging): after every update,
/// `average ← decay · average + (1 − decay) · weights`.
///
/// The look-alike top-1 rate of single checkpoints swings by up to 0.2 within a few hundred
/// steps (docs/MODELS.md); the average over the last ~1 / (1 − decay) updates moves slowly and
/// is what a run with `--ema` validates and exports. It starts from the weights it is created
/// with (no bias correction needed).
final class WeightAverage {
    /// Weight of the old average in each update.
    let decay: Float
    /// The averaged value of each parameter, in the parameters' order.
    private(set) var values: [Tensor]

    /// Starts the average at the parameters' current values.
    init(parameters: [Parameter], decay: Double) {
        precondition(decay > 0 && decay < 1, "decay must lie in (0, 1)")
        self.decay = Float(decay)
        values = parameters.map { $0.value.detached() + 0 }
    }

    /// Continues an average saved earlier (`values` in the parameters' order and shapes).
    init(values: [Tensor], decay: Double) {
        precondition(decay > 0 && decay < 1, "decay must lie in (0, 1)")
        self.decay = Float(decay)
        self.values = values.map { $0.detached() + 0 }
    }

    /// Folds the parameters' current values into the average.
    func update(from parameters: [Parameter]) {
        precondition(parameters.count == values.count, "\(parameters.count) parameters for \(values.count) averages")
        let keep = decay
        let take = 1 - decay
        for index in values.indices {
            parameters[index].value.withUnsafeBufferPointer { current in
                values[index].withUnsafeMutableBufferPointer { average in
                    precondition(current.count == average.count, "parameter \(index) changed size")
                    for i in 0..<average.count { average[i] = keep * average[i] + take * current[i] }
                }
            }
        }
    }

    /// Runs `body` with the parameters holding the averaged values, then puts their own values
    /// back (also when `body` throws).
    func withAveraged<T>(_ parameters: [Parameter], _ body: () throws -> T) rethrows -> T {
        let own = parameters.map(\.value)
        for (parameter, average) in zip(parameters, values) { parameter.value = average + 0 }
        defer { for (parameter, value) in zip(parameters, own) { parameter.value = value } }
        return try body()
    }
}
